// Joining a place: the announce request (docs/protocol.md §2 rule 1, §3).
import {
  PROTOCOL_VERSION,
  PLACE_ENTITY_ID,
  type EntityId,
  type EntitySpec,
  type Json,
  type JsonObject,
} from "@allo/protocol";
import {
  AnnounceRefusedError,
  ConnectionLostError,
  InteractionDeniedError,
  InteractionError,
  RequestTimeoutError,
} from "./errors.ts";
import type { PendingRequests } from "./requests.ts";

/** Who the agent is. Only display_name is required; anything else is passed to the place as is. */
export interface Identity extends JsonObject {
  display_name: string;
}

export interface AnnounceOptions {
  timeout: number;
  /** The protocol version announced; only tests change it. */
  version?: number;
}

export interface Announced {
  avatarId: EntityId;
  placeName: string;
}

/** Sends `["announce","version",3,"identity",identity,"spawn_avatar",avatar]`; rejects with AnnounceRefusedError. */
export async function announce(
  requests: PendingRequests,
  identity: Identity,
  avatar: EntitySpec,
  options: AnnounceOptions,
): Promise<Announced> {
  const version = options.version ?? PROTOCOL_VERSION;
  const body: [string, ...Json[]] = [
    "announce",
    "version",
    version,
    "identity",
    identity,
    "spawn_avatar",
    avatar as Json,
  ];
  let response: Json[];
  try {
    response = await requests.request("", PLACE_ENTITY_ID, body, { timeout: options.timeout });
  } catch (error) {
    throw refusal(error);
  }
  const [, avatarId, placeName] = response;
  if (typeof avatarId !== "string" || !avatarId) {
    throw new AnnounceRefusedError(
      undefined,
      `the place answered with ${JSON.stringify(response)}, not ["announce", avatarId, placeName]`,
    );
  }
  return { avatarId, placeName: typeof placeName === "string" ? placeName : "" };
}

function refusal(error: unknown): unknown {
  if (error instanceof InteractionError) {
    const code = error.body[2];
    return new AnnounceRefusedError(
      typeof code === "number" || typeof code === "string" ? code : undefined,
      error.reason,
    );
  }
  if (error instanceof InteractionDeniedError) return new AnnounceRefusedError(undefined, error.rule);
  if (error instanceof RequestTimeoutError)
    return new AnnounceRefusedError(undefined, `no answer within ${error.timeout} ms`);
  if (error instanceof ConnectionLostError) {
    return new AnnounceRefusedError(error.code, error.reason || "the place closed the connection before answering");
  }
  return error;
}
