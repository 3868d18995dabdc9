// The HTTP app gateway (docs/protocol.md §8): POST <app path> starts a fresh app process connected to the caller.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, type Logger, type LogLevel } from "@allo/protocol";
import type { AppFolder } from "./app-folder.ts";
import { HttpError, readLaunchRequest } from "./launch-request.ts";
import {
  AppStartError,
  InstanceLimitError,
  ShuttingDownError,
  Supervisor,
  type InstanceExit,
  type InstanceInfo,
} from "./supervisor.ts";
import type { StandbyInfo } from "./standby.ts";

export interface GatewayOptions {
  /** The apps to serve, each at its own path (see loadAppFolder). */
  apps: AppFolder[];
  /** Default 8000, like the original gateway; 0 picks a free port. */
  port?: number;
  /** Default: all interfaces. */
  host?: string;
  maxInstancesPerApp?: number;
  maxInstances?: number;
  /**
   * Warm standbys kept per app: processes started ahead of launches, so a launch skips the process start and the
   * compile (default 1; 0 turns them off). Only apps on @allo/ui's runApp (AppFolder.standby) get them.
   */
  standby?: number;
  stopTimeoutMs?: number;
  /**
   * How long a hosted app keeps reconnecting to a place that went away before it exits (and is reaped). Default
   * 300 000 (5 minutes); passed to each app as ALLO_RECONNECT_GIVE_UP_MS (@allo/ui runApp).
   */
  placeAwayMs?: number;
  logger?: Logger;
  logLevel?: LogLevel;
}

export interface Gateway {
  /** e.g. "http://127.0.0.1:8000"; an app's launch URL is `alloapp:` + url + its path. */
  url: string;
  port: number;
  apps: readonly AppFolder[];
  instances(appPath?: string): InstanceInfo[];
  /** Warm standbys (starting or ready), which serve nobody yet. */
  standbys(appPath?: string): StandbyInfo[];
  recentExits: readonly InstanceExit[];
  onExit(listener: (exit: InstanceExit) => void): () => void;
  /** Stops accepting launches, stops every app process and standby (SIGTERM, then SIGKILL) and closes the port. */
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.logger ?? createLogger("gateway", options.logLevel);
  const apps = new Map(options.apps.map((a) => [a.path, a]));
  if (apps.size !== options.apps.length) throw new Error("two apps are served at the same path; give each its own");
  if (options.standby !== undefined && !(Number.isInteger(options.standby) && options.standby >= 0)) {
    throw new Error(
      `standby must be a whole number of processes per app (0 turns standbys off), got ${options.standby}`,
    );
  }
  const supervisor = new Supervisor({ ...options, logger: log });
  let closing = false;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return reply(res, error.status, { status: "error", error: error.message });
      log.error("request failed", { error });
      reply(res, 500, { status: "error", error: "internal gateway error" });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestPath(req.url ?? "/");
    const method = req.method ?? "GET";
    if (path === "/healthz" && (method === "GET" || method === "HEAD")) {
      return reply(res, 200, {
        status: closing ? "closing" : "ok",
        apps: apps.size,
        instances: supervisor.count(),
        standby: supervisor.standbys().length,
      });
    }
    const app = apps.get(path);
    if (method === "POST") {
      if (!app) throw new HttpError(404, `no app is served at ${path}; GET / lists the apps`);
      if (closing) throw new HttpError(503, "the gateway is shutting down");
      const launch = await readLaunchRequest(req);
      try {
        const instance = await supervisor.start({ app, ...launch });
        log.info("launched", { app: app.name, instance: instance.id, place: launch.placeUrl, warm: instance.warm });
        return reply(res, 200, { status: "ok", instance: instance.id });
      } catch (error) {
        if (error instanceof InstanceLimitError || error instanceof ShuttingDownError)
          throw new HttpError(503, error.message);
        if (error instanceof AppStartError) throw new HttpError(500, error.message);
        throw error;
      }
    }
    if (method !== "GET" && method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD, POST");
      throw new HttpError(405, `${method} is not supported: POST launches an app, GET / lists them`);
    }
    if (path === "/") return reply(res, 200, { apps: [...apps.values()].map((a) => describeApp(a, req)) });
    if (app) return reply(res, 200, describeApp(app, req));
    throw new HttpError(404, `no app is served at ${path}; GET / lists the apps`);
  }

  function describeApp(app: AppFolder, req: IncomingMessage) {
    return {
      path: app.path,
      name: app.name,
      display_name: app.displayName,
      description: app.description,
      url: `alloapp:${publicOrigin(req)}${app.path}`,
      instances: supervisor.count(app.path),
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8000, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = !options.host || options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`;
  log.info("serving", { url, apps: [...apps.keys()] });
  supervisor.warmUp();

  return {
    url,
    port,
    apps: options.apps,
    instances: (appPath) => supervisor.instances(appPath),
    standbys: (appPath) => supervisor.standbys(appPath),
    recentExits: supervisor.recentExits,
    onExit: (listener) => supervisor.onExit(listener),
    async close() {
      if (closing) return;
      closing = true;
      const stopped = supervisor.stopAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      const exits = await stopped;
      log.info("stopped", { apps_stopped: exits.length });
    },
  };
}

/**
 * The request's path, normalised; a path that tries to leave the served tree (`..`, encoded or not, backslashes)
 * is refused outright rather than resolved (docs/protocol.md §8: never a path outside an app folder).
 */
export function requestPath(rawUrl: string): string {
  const rawPath = rawUrl.split("?", 1)[0];
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, "the request path is not valid percent-encoding");
  }
  if (decoded.includes("\\") || decoded.includes("\0") || decoded.split("/").some((s) => s === ".." || s === ".")) {
    throw new HttpError(400, "refused: the path tries to leave the app folder");
  }
  return "/" + decoded.split("/").filter(Boolean).join("/");
}

function publicOrigin(req: IncomingMessage): string {
  // Behind a TLS proxy (docs/hosting.md) the browser-facing scheme is in x-forwarded-proto.
  const forwarded = req.headers["x-forwarded-proto"];
  const proto =
    (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0].trim() === "https" ? "https" : "http";
  return `${proto}://${req.headers.host ?? "localhost"}`;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body) + "\n";
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}
