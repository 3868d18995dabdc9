// Expected failures of a place interaction: the handler throws a Refusal, the dispatcher answers
// `[name, "error", reason]` (docs/protocol.md §3). Anything else thrown is a bug: logged and answered too.
export class Refusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "Refusal";
  }
}

/** Stops a handler with a readable reason for the requester. */
export function refuse(reason: string): never {
  throw new Refusal(reason);
}
