// ["launch_app","alloapp:<http(s) url>",{args}] → later ["launch_app","ok",appAvatarId] (docs/protocol.md §3, §8).
// The place POSTs to the app's gateway without ever waiting on it in the tick; the answer comes when the launched
// app announces with the avatar token, or as an error: bad URL, gateway unreachable or refusing (its message
// relayed), no announce in time, requester gone, place closing.
import { randomBytes } from "node:crypto";
import { isPlainObject, parseAppUrl, type EntityId, type InteractionBody, type JsonObject } from "@allo/protocol";
import type { Agent } from "../agent.ts";
import type { InteractionHandler, PlaceContext } from "../types.ts";
import { refuse } from "./refuse.ts";

export interface LaunchAppConfig {
  /** How long the launched app has to announce with its token (docs/protocol.md §8.4). Default 30 s. */
  connectTimeoutMs: number;
  /** How long the gateway has to answer the POST (docs/protocol.md §8.2). Default 5 s. */
  gatewayTimeoutMs: number;
  /** Launches one agent may have waiting at once; more are refused. Default 8. */
  maxPendingPerAgent: number;
}

export const DEFAULT_LAUNCH_APP_CONFIG: Readonly<LaunchAppConfig> = Object.freeze({
  connectTimeoutMs: 30_000,
  gatewayTimeoutMs: 5000,
  maxPendingPerAgent: 8,
});

const MAX_ARGS_BYTES = 64 * 1024; // what @allo/gateway accepts
const MAX_IDENTITY_BYTES = 8 * 1024; // stays well inside Node's 16 KiB header limit
const MAX_RELAYED_CHARS = 500;
const USAGE = `launch_app takes ["launch_app", "alloapp:http(s)://host[:port]/path", {args}]`;

interface PendingLaunch {
  token: string;
  requester: Agent;
  appUrl: string;
  settle(body: InteractionBody): void;
}

interface LaunchState {
  config: LaunchAppConfig;
  pending: Map<string, PendingLaunch>;
}

/** Sets launch_app's timeouts and limits for one place, e.g. from `startPlace({ setup: (ctx) => configureLaunchApp(ctx, …) })`. */
export function configureLaunchApp(ctx: PlaceContext, config: Partial<LaunchAppConfig>): void {
  Object.assign(stateOf(ctx).config, config);
}

/** Launches still waiting for their app, for stats and tests. */
export function pendingLaunches(ctx: PlaceContext): number {
  return stateOf(ctx).pending.size;
}

export const launchApp: InteractionHandler = ({ ctx, agent, interaction }) => {
  const [, appUrl, args = {}] = interaction.body;
  if (typeof appUrl !== "string" || interaction.body.length > 3) refuse(USAGE);
  let gatewayUrl: URL;
  try {
    gatewayUrl = parseAppUrl(appUrl);
  } catch (e) {
    refuse(`invalid app URL: ${(e as Error).message}`);
  }
  if (!isPlainObject(args)) refuse(`launch_app args must be an object, e.g. {"initialLocation": […16 numbers]}`);
  const state = stateOf(ctx);
  const waiting = [...state.pending.values()].filter((p) => p.requester === agent).length;
  if (waiting >= state.config.maxPendingPerAgent) refuse(`${waiting} launches are already waiting for their apps; try again when they are done`);

  const token = randomBytes(18).toString("base64url");
  const body = JSON.stringify({ ...args, avatarToken: token });
  if (Buffer.byteLength(body) > MAX_ARGS_BYTES) refuse(`launch_app args are over ${MAX_ARGS_BYTES} bytes`);

  return new Promise<InteractionBody>((resolve) => {
    const timer = setTimeout(() => settle(["launch_app", "error", "app did not connect"]), state.config.connectTimeoutMs);
    const settle = (result: InteractionBody) => {
      if (!state.pending.delete(token)) return;
      clearTimeout(timer);
      if (result[1] === "ok") ctx.log.info("launched app connected", { app: appUrl, avatar: result[2], requester: agent.id });
      else ctx.log.info("launch failed", { app: appUrl, requester: agent.id, error: result[2] });
      resolve(result);
    };
    state.pending.set(token, { token, requester: agent, appUrl, settle });
    postToGateway(ctx, gatewayUrl, body, agent.identity, state.config.gatewayTimeoutMs).then((failure) => {
      if (failure) settle(["launch_app", "error", failure]);
    });
  });
};

/** POSTs the launch (docs/protocol.md §8.2). Resolves with undefined when the gateway said 200, else with why not. */
async function postToGateway(ctx: PlaceContext, url: URL, body: string, identity: JsonObject | undefined, timeoutMs: number): Promise<string | undefined> {
  const where = url.href;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-alloverse-server": ctx.publicUrl,
        "x-alloverse-launched-by": identityHeader(identity),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const error = e as Error & { cause?: { code?: string; message?: string } };
    if (error.name === "TimeoutError") return `the app gateway at ${where} did not answer within ${timeoutMs / 1000} s`;
    return `Failed to reach the app gateway at ${where}: ${error.cause?.code ?? error.cause?.message ?? error.message}`;
  }
  if (response.status === 200) {
    await response.body?.cancel();
    return undefined;
  }
  const text = await readSome(response);
  return relayedError(text) ?? `the app gateway at ${where} answered HTTP ${response.status}`;
}

/** The gateway's `{"status":"error","error":"…"}`, or its text if it is not that shape (docs/protocol.md §8.3). */
function relayedError(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed) && typeof parsed.error === "string" && parsed.error) return parsed.error.slice(0, MAX_RELAYED_CHARS);
  } catch {
    // not JSON: relay the text itself, below
  }
  const trimmed = text.trim();
  return trimmed ? trimmed.slice(0, MAX_RELAYED_CHARS) : undefined;
}

async function readSome(response: Response): Promise<string> {
  try {
    return (await response.text()).slice(0, 4096);
  } catch (e) {
    return `(unreadable answer: ${(e as Error).message})`;
  }
}

/** Compact JSON in ASCII: header values cannot carry other characters, and `\uXXXX` keeps it valid JSON. */
function identityHeader(identity: JsonObject | undefined): string {
  let json = JSON.stringify(identity ?? {});
  if (json.length > MAX_IDENTITY_BYTES) json = JSON.stringify({ display_name: identity?.display_name ?? "" });
  return json.replace(/[^\x20-\x7e]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function stateOf(ctx: PlaceContext): LaunchState {
  const existing = ctx.extensions.get("launch_app") as LaunchState | undefined;
  if (existing) return existing;
  const state: LaunchState = { config: { ...DEFAULT_LAUNCH_APP_CONFIG }, pending: new Map() };
  ctx.extensions.set("launch_app", state);
  // The app announced with its token (docs/protocol.md §8.4): tokens are single-use.
  ctx.hooks.onAvatarToken.push((token: string, _agent: Agent, avatarId: EntityId) => {
    state.pending.get(token)?.settle(["launch_app", "ok", avatarId]);
  });
  ctx.hooks.onAgentLeft.push((agent: Agent) => {
    for (const launch of [...state.pending.values()]) {
      if (launch.requester === agent) launch.settle(["launch_app", "error", "the agent that asked for the launch left"]);
    }
  });
  ctx.hooks.onClose.push(() => {
    for (const launch of [...state.pending.values()]) launch.settle(["launch_app", "error", "place is closing"]);
  });
  return state;
}
