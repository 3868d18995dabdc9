// Every failure the client reports is one of these values: readable, with the facts needed to act on it.
import type { InteractionBody, InteractionEnvelope, Json } from "@allo/protocol";

/** Base class of every error @allo/client throws or rejects with. */
export class AlloError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The WebSocket to the place could not be opened (wrong host or port, place not running, timeout). */
export class PlaceUnreachableError extends AlloError {
  constructor(
    readonly url: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`Could not reach the place at ${url}: ${reason}. Is the place running, and are the host and port right?`, {
      cause,
    });
  }
}

/** The place refused our announce (docs/protocol.md §3), or closed the connection before answering it. */
export class AnnounceRefusedError extends AlloError {
  constructor(
    /** The place's error code (1003 = outdated protocol version), or the WebSocket close code. */
    readonly code: number | string | undefined,
    readonly reason: string,
  ) {
    super(`The place refused to let this agent in (announce${code !== undefined ? ` ${code}` : ""}): ${reason}`);
  }
}

/** A request got no response within its timeout. */
export class RequestTimeoutError extends AlloError {
  constructor(
    readonly interactionName: string,
    readonly timeout: number,
    readonly requestId: string,
  ) {
    super(
      `No response to "${interactionName}" within ${timeout} ms (request ${requestId}). ` +
        `Is the receiving agent answering its requests? Pass { timeout } to wait longer.`,
    );
  }
}

/** The connection to the place ended. Pending requests are rejected with it, and `client.closed` carries it. */
export class ConnectionLostError extends AlloError {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(
      `The connection to the place was lost (close ${code}${reason ? `: ${reason}` : ""}). Connect again to continue.`,
    );
  }
}

/**
 * The place went away and the client is reconnecting: requests pending when it went, and requests made before it is
 * back, reject with this at once (nothing waits in a queue). Watch `client.connectionState$` to know when it is back.
 */
export class ReconnectingError extends ConnectionLostError {
  constructor(code: number, reason: string) {
    super(code, reason);
    this.message = `The connection to the place was lost (close ${code}${reason ? `: ${reason}` : ""}); reconnecting. Send again once client.connectionState.status is "connected".`;
  }
}

/** A response said `[name, "error" | "failed", reason]` (docs/protocol.md §3). */
export class InteractionError extends AlloError {
  constructor(
    readonly interactionName: string,
    readonly reason: string,
    readonly body: InteractionBody,
  ) {
    super(`"${interactionName}" failed: ${reason}`);
  }
}

/** The place's ACL refused the interaction: `["interaction_denied", envelope, rule]` (docs/protocol.md §2 rule 7). */
export class InteractionDeniedError extends AlloError {
  constructor(
    readonly interactionName: string,
    readonly rule: string,
    readonly envelope: InteractionEnvelope | Json,
    readonly body: InteractionBody,
  ) {
    super(
      `"${interactionName}" was denied by the place's access rules: ${rule}. Ask the place's operator for a rule that allows it.`,
    );
  }
}
