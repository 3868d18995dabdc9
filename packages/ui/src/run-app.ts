// runApp(App): the one way an app entry starts when run directly (`allo run`, the gateway, `node app.tsx`):
// the place URL from argv or ALLO_PLACE_URL (docs/protocol.md §8.5), quit and disconnect end the process.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { createComponent, type Component, type JSX } from "solid-js";
import type { JsonObject, LogLevel } from "@allo/protocol";
import { render, type AppHandle, type ReconnectSetting } from "./render.ts";

export interface RunAppOptions {
  /** Place URL; default: the first argv argument that looks like one, else ALLO_PLACE_URL. */
  url?: string;
  identity?: JsonObject;
  logLevel?: LogLevel;
  /** The entry file, to name the app after its package.json (default: the process's entry). */
  entry?: string;
  /** Reconnect when the place goes away. Default: on, as reconnectFromEnv() reads ALLO_RECONNECT*. */
  reconnect?: ReconnectSetting;
}

/**
 * Reconnecting as the environment asks: ALLO_RECONNECT=0 turns it off; ALLO_RECONNECT_GIVE_UP_MS (default 300 000,
 * the gateway sets it), ALLO_RECONNECT_MAX_DELAY_MS (default 2 500) and ALLO_RECONNECT_INITIAL_DELAY_MS (default
 * 250) tune the backoff (@allo/client's ReconnectOptions).
 */
export function reconnectFromEnv(env = process.env): ReconnectSetting {
  if (env.ALLO_RECONNECT === "0" || env.ALLO_RECONNECT === "false") return false;
  const setting: Exclude<ReconnectSetting, boolean> = {};
  const read = (name: string, key: keyof typeof setting) => {
    const text = env[name];
    if (text === undefined || text === "") return;
    const value = Number(text);
    if (!(value >= 0)) {
      process.stderr.write(`${name} must be a number of milliseconds ≥ 0, got "${text}"; using the default.\n`);
      return;
    }
    setting[key] = value;
  };
  read("ALLO_RECONNECT_GIVE_UP_MS", "giveUpAfter");
  read("ALLO_RECONNECT_MAX_DELAY_MS", "maxDelay");
  read("ALLO_RECONNECT_INITIAL_DELAY_MS", "initialDelay");
  return setting;
}

/** "allo.displayName", "displayName", else the unscoped "name" of the package.json nearest to `file` (as the gateway). */
export function appNameFor(file: string | undefined): string | undefined {
  for (let dir = file ? dirname(file) : ""; dir && dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, "package.json");
    if (!existsSync(path)) continue;
    try {
      const pkg = JSON.parse(readFileSync(path, "utf8")) as {
        allo?: { displayName?: unknown };
        displayName?: unknown;
        name?: unknown;
      };
      if (typeof pkg.allo?.displayName === "string") return pkg.allo.displayName;
      if (typeof pkg.displayName === "string") return pkg.displayName;
      return typeof pkg.name === "string" ? pkg.name.replace(/^@[^/]+\//, "") : undefined;
    } catch {
      return undefined; // an unreadable package.json names nothing; the app still starts
    }
  }
  return undefined;
}

/** The place URL an app process was given: an alloplace://, ws:// or wss:// argument, else ALLO_PLACE_URL. */
export function placeUrlFromProcess(argv = process.argv.slice(2), env = process.env): string | undefined {
  return argv.find((a) => /^(alloplace|wss?):\/\//.test(a)) ?? env.ALLO_PLACE_URL ?? undefined;
}

let started: Promise<AppHandle> | null = null;

/** Whether runApp() was called in this process (start.ts uses it to avoid starting an entry twice). */
export function appStarted(): boolean {
  return started !== null;
}

/** Renders `App` into the place this process was started for. Exits with a readable message if there is none. */
export function runApp(App: Component | (() => JSX.Element), options: RunAppOptions = {}): Promise<AppHandle> {
  started ??= startApp(App, options);
  return started;
}

async function startApp(App: Component | (() => JSX.Element), options: RunAppOptions): Promise<AppHandle> {
  const connected = await launchHandshake();
  const url = options.url ?? placeUrlFromProcess();
  if (!url) {
    process.stderr.write("No place URL: pass one as an argument (alloplace://host:port) or set ALLO_PLACE_URL.\n");
    process.exit(2);
  }
  const own = (App as { displayName?: string }).displayName ?? (App.name && App.name !== "App" ? App.name : undefined);
  const name = own ?? appNameFor(options.entry ?? process.argv[1]) ?? "Allo app";
  const app = await render(() => createComponent(App as Component, {}), {
    url,
    // ALLO_TOKEN (allo run --token): a token from the place's operator, for a place that requires one.
    identity: options.identity ?? {
      display_name: name,
      ...(process.env.ALLO_TOKEN ? { token: process.env.ALLO_TOKEN } : {}),
    },
    logLevel: options.logLevel,
    reconnect: options.reconnect ?? reconnectFromEnv(),
  }).finally(connected);
  const stop = () => void app.dispose().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return app;
}

/** True when `moduleUrl` (import.meta.url) is the entry the process was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  const path = decodeURIComponent(new URL(moduleUrl).pathname);
  return path === entry || path.replace(/\.[jt]sx?$/, "") === entry.replace(/\.[jt]sx?$/, "");
}

/** The IPC messages of a warm standby (@allo/gateway's standby.ts): the child says it is ready, the gateway launches it. */
type StandbyMessage =
  | { type: "allo:standby" }
  | { type: "allo:launch"; placeUrl: string; args: JsonObject; identity: JsonObject }
  | { type: "allo:launched" }
  | { type: "allo:connected" };

/**
 * A warm standby (ALLO_APP_STANDBY=1, started by the gateway with an IPC channel) has loaded and compiled its modules
 * but has no launch yet: tell the gateway it is ready, wait for the launch, and put the place URL, boot args and
 * identity where the rest of the start reads them (process.env, docs/protocol.md §8.5). Returns at once otherwise.
 * This is why launch info must be read when the app renders, never at module top level.
 * Resolves with what to call once the app has connected (or failed to): the gateway starts the next standby then,
 * so that it does not compete with this launch for the CPU.
 */
async function launchHandshake(): Promise<() => void> {
  if (process.env.ALLO_APP_STANDBY !== "1" || !process.send) return () => {};
  delete process.env.ALLO_APP_STANDBY;
  // What render() and @allo/client import only when they connect: load it now, while nobody waits (half of a
  // warm launch's time otherwise). `ws` as @allo/client resolves it.
  const client = import.meta.resolve("@allo/client");
  await import(client);
  await import(pathToFileURL(createRequire(client).resolve("ws")).href);
  if (!process.connected) process.exit(0); // the gateway went away while this standby was starting
  const send = process.send.bind(process);
  const connected = () => {
    // From here on it is an ordinary app process, like a cold start: drop the channel.
    // The gateway only uses it to time its next standby, so a failed send changes nothing.
    if (process.connected)
      send({ type: "allo:connected" } satisfies StandbyMessage, () => process.connected && process.disconnect());
  };
  return new Promise((resolve) => {
    // The gateway went away before launching this standby: nobody will, so leave.
    const orphaned = () => process.exit(0);
    const onMessage = (message: StandbyMessage) => {
      if (message?.type !== "allo:launch" || typeof message.placeUrl !== "string") return;
      process.off("message", onMessage);
      process.off("disconnect", orphaned);
      process.env.ALLO_PLACE_URL = message.placeUrl;
      process.env.ALLO_APP_BOOT_ARGS = JSON.stringify(message.args);
      process.env.ALLO_APP_BOOTED_BY_IDENTITY = JSON.stringify(message.identity);
      send({ type: "allo:launched" } satisfies StandbyMessage, (error: Error | null) => {
        if (error) process.exit(1); // the gateway is gone and counts this launch as failed
        resolve(connected);
      });
    };
    process.on("message", onMessage);
    process.once("disconnect", orphaned);
    send({ type: "allo:standby" } satisfies StandbyMessage);
  });
}
