// Interaction envelopes (docs/protocol.md §2): `["interaction", type, sender, receiver, request_id, body]`.
import type { Interaction, InteractionBody, InteractionEnvelope, InteractionType, Json } from "./types.ts";
import { describeValue, fail, ok, type ParseResult } from "./validate-json.ts";

export const INTERACTION_TYPES: readonly InteractionType[] = ["oneway", "request", "response", "publication"];
const TYPES = new Set<unknown>(INTERACTION_TYPES);

export function toEnvelope(i: Interaction): InteractionEnvelope {
  return ["interaction", i.type, i.senderEntityId, i.receiverEntityId, i.requestId, i.body];
}

export function fromEnvelope(e: InteractionEnvelope): Interaction {
  return { type: e[1], senderEntityId: e[2], receiverEntityId: e[3], requestId: e[4], body: e[5] };
}

/** The interaction's name: the first element of its body. */
export function interactionName(body: InteractionBody | readonly Json[]): string {
  return typeof body[0] === "string" ? body[0] : "";
}

/** Checks an already JSON-safe value is a well-formed envelope. */
export function validateEnvelope(x: unknown): ParseResult<Interaction> {
  if (!Array.isArray(x) || x[0] !== "interaction")
    return fail(`interaction must be an array starting with "interaction"`);
  if (x.length !== 6)
    return fail(
      `interaction must have 6 elements ["interaction", type, sender, receiver, request_id, body], got ${x.length}`,
    );
  const [, type, sender, receiver, requestId, body] = x;
  if (!TYPES.has(type))
    return fail(
      `interaction type must be one of ${INTERACTION_TYPES.join("|")}, got ${typeof type === "string" ? JSON.stringify(type.slice(0, 40)) : describeValue(type)}`,
    );
  if (typeof sender !== "string")
    return fail(`interaction sender must be a string entity id, got ${describeValue(sender)}`);
  if (typeof receiver !== "string")
    return fail(`interaction receiver must be a string entity id, got ${describeValue(receiver)}`);
  if (typeof requestId !== "string")
    return fail(`interaction request_id must be a string, got ${describeValue(requestId)}`);
  if (!Array.isArray(body)) return fail(`interaction body must be an array, got ${describeValue(body)}`);
  if (body.length === 0) return fail(`interaction body must not be empty`);
  if (typeof body[0] !== "string")
    return fail(`interaction body[0] must be a string name, got ${describeValue(body[0])}`);
  return ok({
    type: type as InteractionType,
    senderEntityId: sender,
    receiverEntityId: receiver,
    requestId,
    body: body as InteractionBody,
  });
}
