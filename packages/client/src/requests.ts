// Requests as promises: unique request ids, a pending map with timeouts, responses matched by id (docs/protocol.md §2).
import {
  newRequestId,
  toEnvelope,
  type EntityId,
  type Interaction,
  type InteractionBody,
  type Json,
} from "@allo/protocol";
import type { Connection } from "./connection.ts";
import { AlloError, InteractionDeniedError, InteractionError, RequestTimeoutError } from "./errors.ts";

export const DEFAULT_REQUEST_TIMEOUT = 30_000;

export interface RequestOptions {
  /** Milliseconds to wait for the response before rejecting with RequestTimeoutError. Default 30 000. */
  timeout?: number;
}

interface Pending {
  name: string;
  resolve(body: InteractionBody): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Sends requests and settles each one when its response arrives, its timeout passes, or the connection ends. */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();
  private failure: Error | undefined;

  constructor(private readonly connection: Connection) {}

  /** How many requests are waiting for a response. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Sends a request and resolves with the response body. Rejects with InteractionError for `[name,"error"|"failed",reason]`,
   * InteractionDeniedError for `["interaction_denied",…]`, RequestTimeoutError, or the error the connection ended with.
   */
  request(
    senderEntityId: EntityId,
    receiverEntityId: EntityId,
    body: InteractionBody,
    options: RequestOptions = {},
  ): Promise<InteractionBody> {
    const name = body[0];
    const timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT;
    if (this.failure) return Promise.reject(this.failure);
    let requestId = newRequestId();
    while (this.pending.has(requestId)) requestId = newRequestId();
    return new Promise<InteractionBody>((resolve, reject) => {
      // Infinity waits for ever (setTimeout would read it as 1 ms); the place still answers after its own 30 s.
      const timer = Number.isFinite(timeout)
        ? setTimeout(() => {
            this.pending.delete(requestId);
            reject(new RequestTimeoutError(name, timeout, requestId));
          }, timeout)
        : undefined;
      this.pending.set(requestId, { name, resolve, reject, timer });
      try {
        const interaction: Interaction = { type: "request", senderEntityId, receiverEntityId, requestId, body };
        this.connection.send(toEnvelope(interaction), name);
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(requestId);
        reject(error);
      }
    });
  }

  /** Settles the request a response answers. Returns false if no request of ours is waiting for it. */
  settle(response: Interaction): boolean {
    const pending = this.pending.get(response.requestId);
    if (!pending) return false;
    this.pending.delete(response.requestId);
    clearTimeout(pending.timer);
    const error = errorInResponse(response.body);
    if (error) pending.reject(error);
    else pending.resolve(response.body);
    return true;
  }

  /** Rejects every pending request, and every later one, with `error`. */
  rejectAll(error: Error): void {
    this.failure = error;
    for (const [requestId, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(requestId);
      pending.reject(error);
    }
  }
}

/** The error a response body reports, if it reports one (docs/protocol.md §2 rule 7, §3). */
export function errorInResponse(body: InteractionBody): AlloError | undefined {
  const [name, status] = body;
  if (name === "interaction_denied") {
    const envelope = body[1];
    const deniedName =
      Array.isArray(envelope) && Array.isArray(envelope[5]) && typeof envelope[5][0] === "string"
        ? envelope[5][0]
        : "interaction";
    return new InteractionDeniedError(
      deniedName,
      typeof body[2] === "string" ? body[2] : "no rule given",
      envelope as Json,
      body,
    );
  }
  if (status === "error" || status === "failed") return new InteractionError(name, reasonText(body.slice(2)), body);
  return undefined;
}

// Place errors are `[name,"error",reason]`; announce's is `["announce","error",code,reason]`.
function reasonText(details: Json[]): string {
  const text = details.filter((d) => typeof d === "string").join(": ");
  if (text) return text;
  return details.length ? JSON.stringify(details) : "no reason given";
}
