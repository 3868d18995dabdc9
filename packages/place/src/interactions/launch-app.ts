// ["launch_app","alloapp:<http(s) url>",{args}] → later ["launch_app","ok",appAvatarId] (docs/protocol.md §3, §8).
// The place POSTs to the app's gateway without ever waiting on it in the tick; the answer comes when the launched
// app announces with the avatar token, or as an error: bad URL, a destination the network policy refuses, gateway
// unreachable or refusing (only its documented `error` text relayed), no announce in time, requester gone, place
// closing. Launches are rate-limited per agent (docs/protocol.md §10).
import { randomBytes } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { isPlainObject, parseAppUrl, type EntityId, type InteractionBody, type JsonObject } from "@allo/protocol";
import type { Agent } from "../agent.ts";
import type { VerifiedIdentity } from "../auth.ts";
import { NetworkPolicy } from "../network-policy.ts";
import type { InteractionHandler, PlaceContext } from "../types.ts";
import { refuse } from "./refuse.ts";

export interface LaunchAppConfig {
  /** How long the launched app has to announce with its token (docs/protocol.md §8.4). Default 30 s. */
  connectTimeoutMs: number;
  /** How long the gateway has to answer the POST (docs/protocol.md §8.2). Default 5 s. */
  gatewayTimeoutMs: number;
  /** Launches one agent may have waiting at once; more are refused. Default 8. */
  maxPendingPerAgent: number;
  /** Launches one agent may start in a minute (a bucket: this many at once, refilled over the minute). Default 10. */
  launchesPerMinute: number;
  /**
   * Loopback, private, link-local… destinations the operator allows (refused by default): `127.0.0.1:8000`,
   * `[::1]:8000`, `10.0.0.0/8`, `192.168.1.20`. `allo start` allows its own gateway.
   */
  allowPrivateAddresses: string[];
}

export const DEFAULT_LAUNCH_APP_CONFIG: Readonly<LaunchAppConfig> = Object.freeze({
  connectTimeoutMs: 30_000,
  gatewayTimeoutMs: 5000,
  maxPendingPerAgent: 8,
  launchesPerMinute: 10,
  allowPrivateAddresses: [],
});

const MAX_ARGS_BYTES = 64 * 1024; // what @allo/gateway accepts
const MAX_IDENTITY_BYTES = 8 * 1024; // stays well inside Node's 16 KiB header limit
const MAX_RELAYED_CHARS = 500;
const MAX_ANSWER_BYTES = 4096;
const USAGE = `launch_app takes ["launch_app", "alloapp:http(s)://host[:port]/path", {args}]`;

interface PendingLaunch {
  token: string;
  requester: Agent;
  appUrl: string;
  settle(body: InteractionBody): void;
}

interface LaunchState {
  config: LaunchAppConfig;
  policy: NetworkPolicy;
  pending: Map<string, PendingLaunch>;
  budgets: WeakMap<Agent, { tokens: number; at: number }>;
}

/** Sets launch_app's timeouts and limits for one place, e.g. from `startPlace({ setup: (ctx) => configureLaunchApp(ctx, …) })`. */
export function configureLaunchApp(ctx: PlaceContext, config: Partial<LaunchAppConfig>): void {
  const state = stateOf(ctx);
  if (config.allowPrivateAddresses) state.policy = new NetworkPolicy(config.allowPrivateAddresses);
  Object.assign(state.config, config);
}

/** The identity of an app announcing with the token of a launch still waiting: the place made that launch itself. */
export function launchedAppIdentity(ctx: PlaceContext, token: string): VerifiedIdentity | undefined {
  const launch = stateOf(ctx).pending.get(token);
  if (!launch) return undefined;
  return {
    sub: `app:${launch.appUrl.replace(/^alloapp:/, "")}`,
    name: null,
    roles: ["app"],
    launched_by: launch.requester.verified?.sub ?? null,
  };
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
  if (waiting >= state.config.maxPendingPerAgent)
    refuse(`${waiting} launches are already waiting for their apps; try again when they are done`);
  const literal = gatewayUrl.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(literal)) {
    const why = state.policy.refusal(literal, portOf(gatewayUrl));
    if (why) refuse(refusedText(gatewayUrl, why));
  }
  const token = randomBytes(18).toString("base64url");
  const body = JSON.stringify({ ...args, avatarToken: token });
  if (Buffer.byteLength(body) > MAX_ARGS_BYTES) refuse(`launch_app args are over ${MAX_ARGS_BYTES} bytes`);
  takeLaunch(state, agent);

  return new Promise<InteractionBody>((resolve) => {
    const timer = setTimeout(
      () => settle(["launch_app", "error", "app did not connect"]),
      state.config.connectTimeoutMs,
    );
    const settle = (result: InteractionBody) => {
      if (!state.pending.delete(token)) return;
      clearTimeout(timer);
      if (result[1] === "ok")
        ctx.log.info("launched app connected", { app: appUrl, avatar: result[2], requester: agent.id });
      else ctx.log.info("launch failed", { app: appUrl, requester: agent.id, error: result[2] });
      resolve(result);
    };
    state.pending.set(token, { token, requester: agent, appUrl, settle });
    postToGateway(ctx, state.policy, gatewayUrl, body, launchedBy(agent), state.config.gatewayTimeoutMs).then(
      (failure) => {
        if (failure) settle(["launch_app", "error", failure]);
      },
    );
  });
};

/** Takes one launch from the agent's budget, or refuses: `launchesPerMinute` at once, refilled over a minute. */
function takeLaunch(state: LaunchState, agent: Agent): void {
  const perMinute = state.config.launchesPerMinute;
  const now = performance.now();
  const budget = state.budgets.get(agent) ?? { tokens: perMinute, at: now };
  budget.tokens = Math.min(perMinute, budget.tokens + ((now - budget.at) / 60_000) * perMinute);
  budget.at = now;
  state.budgets.set(agent, budget);
  if (budget.tokens < 1)
    refuse(
      `too many launches: at most ${perMinute} a minute; try again in ${Math.ceil(((1 - budget.tokens) * 60) / perMinute)} s`,
    );
  budget.tokens -= 1;
}

const portOf = (url: URL) => (url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80);

function refusedText(url: URL, why: string): string {
  return `the place will not launch apps from ${url.host}: ${why}; its operator can allow it (docs/protocol.md §10)`;
}

/**
 * POSTs the launch (docs/protocol.md §8.2) through the network policy. Resolves with undefined when the gateway said 200,
 * else a readable reason. Only the gateway's documented JSON `error` text is passed on, never a raw body: the
 * requester must learn nothing about what answers at an address it chose.
 */
function postToGateway(
  ctx: PlaceContext,
  policy: NetworkPolicy,
  url: URL,
  body: string,
  identity: JsonObject | undefined,
  timeoutMs: number,
): Promise<string | undefined> {
  const where = url.href;
  const port = portOf(url);
  return new Promise((resolve) => {
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "x-alloverse-server": ctx.publicUrl,
        "x-alloverse-launched-by": identityHeader(identity),
      },
      lookup: policy.lookup(port),
      agent: false,
      signal: AbortSignal.timeout(timeoutMs),
    });
    request.on("response", (response) => {
      // The lookup checked every address of a name; a literal address was checked before. This is the backstop.
      const why = response.socket.remoteAddress
        ? policy.refusal(response.socket.remoteAddress, port)
        : "its address is unknown";
      if (why) {
        response.destroy();
        return resolve(refusedText(url, why));
      }
      if (response.statusCode === 200) {
        response.resume();
        return resolve(undefined);
      }
      readSome(response).then((text) =>
        resolve(relayedError(text) ?? `the app gateway at ${where} answered HTTP ${response.statusCode}`),
      );
    });
    request.on("error", (e: Error & { code?: string }) => {
      if (e.name === "AbortError" || e.name === "TimeoutError")
        return resolve(`the app gateway at ${where} did not answer within ${timeoutMs / 1000} s`);
      if (e.code === "ELAUNCHREFUSED") return resolve(refusedText(url, e.message.slice(e.message.indexOf(": ") + 2)));
      resolve(`Failed to reach the app gateway at ${where}: ${e.code ?? e.message}`);
    });
    request.end(body);
  });
}

/** The gateway's `{"status":"error","error":"…"}` text, printable and capped (docs/protocol.md §8.3); nothing else. */
function relayedError(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed) && typeof parsed.error === "string") {
      // eslint-disable-next-line no-control-regex -- control characters are what this removes
      const error = parsed.error.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
      if (error) return error.slice(0, MAX_RELAYED_CHARS);
    }
  } catch {
    // not JSON: nothing is relayed
  }
  return undefined;
}

/** At most MAX_ANSWER_BYTES of the answer; the rest is never read. */
function readSome(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = () => resolve(Buffer.concat(chunks).toString("utf8", 0, Math.min(length, MAX_ANSWER_BYTES)));
    response.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= MAX_ANSWER_BYTES) {
        response.destroy();
        done();
      }
    });
    response.on("end", done);
    response.on("error", done);
    response.on("close", done);
  });
}

/**
 * Who asked for the launch (x-alloverse-launched-by): the verified identity when the place has one — its name,
 * subject and roles — else only the self-declared display name, marked unverified.
 */
function launchedBy(agent: Agent): JsonObject {
  const v = agent.verified;
  if (!v) return { display_name: agent.displayName, verified: false };
  return { display_name: v.name ?? agent.displayName, sub: v.sub, roles: v.roles, verified: true };
}

/** Compact JSON in ASCII: header values cannot carry other characters, and `\uXXXX` keeps it valid JSON. */
function identityHeader(identity: JsonObject | undefined): string {
  let json = JSON.stringify(identity ?? {});
  if (json.length > MAX_IDENTITY_BYTES) {
    const { display_name, sub, verified } = identity ?? {};
    json = JSON.stringify({ display_name: String(display_name ?? "").slice(0, 1024), sub, verified });
  }
  return json.replace(/[^\x20-\x7e]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function stateOf(ctx: PlaceContext): LaunchState {
  const existing = ctx.extensions.get("launch_app") as LaunchState | undefined;
  if (existing) return existing;
  const state: LaunchState = {
    config: { ...DEFAULT_LAUNCH_APP_CONFIG },
    policy: new NetworkPolicy(),
    pending: new Map(),
    budgets: new WeakMap(),
  };
  ctx.extensions.set("launch_app", state);
  // The app announced with its token (docs/protocol.md §8.4): tokens are single-use.
  ctx.hooks.onAvatarToken.push((token: string, _agent: Agent, avatarId: EntityId) => {
    state.pending.get(token)?.settle(["launch_app", "ok", avatarId]);
  });
  ctx.hooks.onAgentLeft.push((agent: Agent) => {
    for (const launch of [...state.pending.values()]) {
      if (launch.requester === agent)
        launch.settle(["launch_app", "error", "the agent that asked for the launch left"]);
    }
  });
  ctx.hooks.onClose.push(() => {
    for (const launch of [...state.pending.values()]) launch.settle(["launch_app", "error", "place is closing"]);
  });
  return state;
}
