// The one place untrusted text frames become typed messages (docs/architecture.md, "Rules of the house").
import type { AgentMessage, PlaceMessage } from "./types.ts";
import { validateEnvelope } from "./envelope.ts";
import { normaliseIntent } from "./validate-intent.ts";
import { validateStateFrame } from "./validate-state.ts";
import {
  describeValue,
  fail,
  isFiniteNumber,
  isPlainObject,
  ok,
  parseJson,
  requestHeadOf,
  type ParseLimits,
  type ParseResult,
} from "./validate-json.ts";

export { PARSE_LIMITS, requestHeadOf, type ParseLimits, type ParseResult, type RequestHead } from "./validate-json.ts";

/** What a place receives in a text frame: interaction | intent | clock (docs/protocol.md §1). Never throws. */
export function parseAgentMessage(text: string, limits?: Partial<ParseLimits>): ParseResult<AgentMessage> {
  try {
    const parsed = parseJson(text, limits);
    if (!parsed.ok) return parsed;
    const x = parsed.value;
    if (Array.isArray(x)) {
      const r = validateEnvelope(x);
      if (r.ok) return ok({ kind: "interaction", interaction: r.value });
      const request = requestHeadOf(x);
      return request ? { ...r, request } : r;
    }
    if (!isPlainObject(x))
      return fail(`message must be an interaction array or a command object, got ${describeValue(x)}`);
    if (x.cmd === "intent") {
      if (!isPlainObject(x.intent)) return fail(`intent.intent must be an object, got ${describeValue(x.intent)}`);
      return ok({ kind: "intent", intent: normaliseIntent(x.intent) });
    }
    if (x.cmd === "clock") {
      if (!isFiniteNumber(x.client_time))
        return fail(`clock.client_time must be a finite number, got ${describeValue(x.client_time)}`);
      return ok({ kind: "clock", clientTime: x.client_time });
    }
    if (typeof x.cmd === "string")
      return fail(`message.cmd must be "intent" or "clock", got ${JSON.stringify(x.cmd.slice(0, 40))}`);
    if ("patch_style" in x) return fail(`state frames go from place to agent, not from an agent`);
    return fail(`message object must have "cmd": "intent" or "clock"`);
  } catch (e) {
    return fail(`message could not be checked: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** What an agent receives in a text frame: interaction | state | clock echo (docs/protocol.md §1). Never throws. */
export function parsePlaceMessage(text: string, limits?: Partial<ParseLimits>): ParseResult<PlaceMessage> {
  try {
    const parsed = parseJson(text, limits);
    if (!parsed.ok) return parsed;
    const x = parsed.value;
    if (Array.isArray(x)) {
      const r = validateEnvelope(x);
      return r.ok ? ok({ kind: "interaction", interaction: r.value }) : r;
    }
    if (!isPlainObject(x))
      return fail(`message must be an interaction array, a state frame or a clock echo, got ${describeValue(x)}`);
    if ("patch_style" in x) {
      const r = validateStateFrame(x);
      return r.ok ? ok({ kind: "state", state: r.value }) : r;
    }
    if (x.cmd === "clock") {
      if (!isFiniteNumber(x.client_time))
        return fail(`clock.client_time must be a finite number, got ${describeValue(x.client_time)}`);
      if (!isFiniteNumber(x.server_time))
        return fail(`clock.server_time must be a finite number, got ${describeValue(x.server_time)}`);
      return ok({ kind: "clock", clientTime: x.client_time, serverTime: x.server_time });
    }
    return fail(`message object must be a state frame ("patch_style") or a clock echo ("cmd": "clock")`);
  } catch (e) {
    return fail(`message could not be checked: ${(e as Error)?.message ?? String(e)}`);
  }
}
