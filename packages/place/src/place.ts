// startPlace(options): wires the world, agents, dispatcher, router, sync and the server together.
import type { IncomingMessage } from "node:http";
import { createLogger, DEFAULT_PORT, type AgentId, type EntityId, type InteractionEnvelope } from "@allo/protocol";
import type { WebSocket } from "ws";
import { Agent } from "./agent.ts";
import { authOf, logAuthMode } from "./auth.ts";
import { Dispatcher } from "./dispatch.ts";
import { callHooks } from "./hooks.ts";
import { Router } from "./routing.ts";
import { startServer, type PlaceInfo } from "./server.ts";
import { installStandardFeatures, standardHttp } from "./standard-features.ts";
import { Sync, type SyncStats } from "./sync.ts";
import { DEFAULT_LIMITS, type PlaceContext, type PlaceHooks, type PlaceLimits, type PlaceOptions } from "./types.ts";
import { addPlaceEntity, World, type WorldView } from "./world.ts";

export interface Place {
  /** ws://host:port/ */
  readonly url: string;
  /** alloplace://host:port (or options.publicUrl) */
  readonly publicUrl: string;
  readonly port: number;
  readonly world: WorldView;
  /** Connected agents, announced or not. */
  readonly agents: ReadonlyMap<AgentId, Agent>;
  /** For modules and tests that need the inside (hooks, limits); apps never do. */
  readonly ctx: PlaceContext;
  stats(): PlaceStats;
  /** Runs one tick now: simulation, clock, a revision if anything changed, states to agents (benches, tickRate 0). */
  tick(): void;
  /**
   * Stops accepting, closes every agent (default 1001 "place is closing"; a restart says 1012, docs/protocol.md §1)
   * and resolves once their sockets and the server have closed.
   */
  close(options?: PlaceCloseOptions): Promise<void>;
}

export interface PlaceCloseOptions {
  /** The WebSocket close code every agent gets: 1001 (going away, the default) or 1012 (service restart). */
  code?: 1001 | 1012;
  reason?: string;
}

export interface PlaceStats extends SyncStats {
  agents: number;
  entities: number;
  revision: number;
  pendingRequests: number;
}

export async function startPlace(options: PlaceOptions = {}): Promise<Place> {
  const host = options.host ?? "127.0.0.1";
  const name = options.name ?? "Allo place";
  const tickRate = options.tickRate ?? 20;
  if (!(tickRate >= 0 && tickRate <= 1000))
    throw new RangeError(`tickRate must be between 0 (manual ticks) and 1000 ticks per second, got ${tickRate}`);
  const limits: PlaceLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = createLogger("place", options.logLevel);
  const started = performance.now();
  const serverTime = () => (performance.now() - started) / 1000;
  const world = new World();
  addPlaceEntity(world, serverTime());
  world.commit();
  const agents = new Map<AgentId, Agent>();
  const hooks: PlaceHooks = {
    onAvatarToken: [],
    onAgentAnnounced: [],
    onAgentLeft: [],
    onEntityRemoved: [],
    onClose: [],
  };
  let publicUrl = options.publicUrl ?? "";

  const ctx: PlaceContext = {
    name,
    world,
    agents,
    log,
    limits,
    hooks,
    binaryHandlers: new Map(),
    extensions: new Map(),
    simulation: options.simulation,
    subscriptions: options.subscriptions,
    get publicUrl() {
      return publicUrl;
    },
    serverTime,
    agentOwning(id: EntityId) {
      const owner = world.ownerOf(id);
      return owner === undefined ? undefined : agents.get(owner);
    },
    send(agent: Agent, envelope: InteractionEnvelope) {
      agent.sendText(JSON.stringify(envelope));
    },
    requestFlush: () => sync.flushSoon(),
    removeEntity(id, mode) {
      const removed = mode === "reparent" ? world.removeReparent(id) : world.removeCascade(id);
      for (const r of removed) {
        agents.get(r.owner)?.owned.delete(r.id);
        callHooks(log, "onEntityRemoved", hooks.onEntityRemoved, r.id);
      }
    },
    disconnect(agent, code, reason) {
      if (agent.closing) return;
      log.info("closing agent", { agent: agent.id, code, reason });
      agent.closing = true;
      agent.socket.close(code, reason);
      // A peer that never completes the close handshake is cut off (ws would wait 30 s).
      setTimeout(() => agent.socket.terminate(), 2000).unref();
      agentLeft(agent);
    },
  };

  const router = new Router(ctx);
  const sync = new Sync(ctx, world);
  const dispatcher = new Dispatcher(ctx, router, sync);

  function agentLeft(agent: Agent): void {
    if (agent.left) return;
    agent.left = true;
    agent.closing = true;
    clearTimeout(agent.announceTimer);
    agents.delete(agent.id);
    router.agentLeft(agent);
    for (const id of [...agent.owned]) if (world.has(id)) ctx.removeEntity(id, "cascade");
    callHooks(log, "onAgentLeft", hooks.onAgentLeft, agent);
    log.info("agent left", { agent: agent.id, display_name: agent.displayName });
    sync.flushSoon();
  }

  function onConnection(socket: WebSocket, req: IncomingMessage): void {
    const now = performance.now();
    const rate = {
      perSecond: limits.messagesPerSecond,
      burst: limits.messageBurst,
      closeAfterMs: limits.overBudgetCloseMs,
    };
    // req.socket is the TCP socket ws took over: state frames framed once are written to it (agent.ts sendFrame).
    const agent = new Agent(socket, now, rate, limits.badFramesPerMinute, req.socket);
    agents.set(agent.id, agent);
    log.debug("agent connected", { agent: agent.id });
    agent.announceTimer = setTimeout(() => {
      if (!agent.announced) ctx.disconnect(agent, 4408, "no announce in time");
    }, limits.announceTimeoutMs);
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      try {
        if (isBinary) dispatcher.onBinary(agent, data);
        else dispatcher.onText(agent, data);
      } catch (e) {
        // The dispatcher guards every handler; reaching here is a bug in the place itself.
        log.error("message handling failed", { agent: agent.id, error: e, stack: (e as Error)?.stack });
      }
    });
    socket.on("pong", () => (agent.missedPongs = 0));
    socket.on("error", (e) => log.debug("socket error", { agent: agent.id, error: e }));
    socket.on("close", () => agentLeft(agent));
  }

  function heartbeat(): void {
    for (const agent of [...agents.values()]) {
      try {
        if (agent.missedPongs >= 2) {
          log.info("no pong: terminating", { agent: agent.id });
          agent.socket.terminate();
          agentLeft(agent);
          continue;
        }
        agent.missedPongs++;
        agent.socket.ping();
      } catch (e) {
        log.error("heartbeat failed for one agent", { agent: agent.id, error: e });
      }
    }
  }

  const info = (): PlaceInfo => ({
    name,
    agents: agents.size,
    entities: world.size,
    revision: world.revision,
    url,
    publicUrl,
  });
  // Simulation, subscriptions, media, assets, ACL config (standard-features.ts).
  installStandardFeatures(ctx, options);
  options.setup?.(ctx);
  await authOf(ctx).ready();
  const server = await startServer({
    host,
    port: options.port ?? DEFAULT_PORT,
    maxPayload: Math.max(limits.maxBinaryBytes, limits.maxTextBytes),
    log,
    httpHandler: standardHttp(ctx, options.httpHandler), // GET /assets/<id>, then the embedder's routes
    info,
    onConnection,
    tls: options.tls,
  });
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "localhost" : host;
  const url = `ws://${urlHost}:${server.port}/`;
  publicUrl ||= `alloplace://${urlHost}:${server.port}`;
  const tickTimer = tickRate > 0 ? setInterval(() => sync.tick(), 1000 / tickRate) : undefined;
  const heartbeatTimer = setInterval(heartbeat, limits.pingIntervalMs);
  log.info("place started", { name, url, publicUrl });
  logAuthMode(ctx, host);

  let closing: Promise<void> | undefined;
  return {
    url,
    publicUrl,
    port: server.port,
    world,
    agents,
    ctx,
    tick: () => sync.tick(),
    stats: () => ({
      ...sync.stats,
      agents: agents.size,
      entities: world.size,
      revision: world.revision,
      pendingRequests: router.pendingCount,
    }),
    close(closeOptions: PlaceCloseOptions = {}) {
      closing ??= (async () => {
        const code = closeOptions.code ?? 1001;
        const reason = closeOptions.reason ?? "place is closing";
        clearInterval(tickTimer);
        clearInterval(heartbeatTimer);
        dispatcher.closeAll("place is closing");
        router.closeAll("place is closing");
        callHooks(log, "onClose", hooks.onClose);
        const serverClosed = server.close(); // first: an agent that reconnects at once is not let in again
        const sockets = [...agents.values()].map((agent) => agent.socket);
        for (const agent of [...agents.values()]) ctx.disconnect(agent, code, reason);
        // Each agent gets its close frame before the process that awaits this may exit (cut off after 2 s).
        await Promise.all(
          sockets.map((socket) =>
            socket.readyState === socket.CLOSED ? undefined : new Promise((r) => socket.once("close", r)),
          ),
        );
        await serverClosed;
        log.info("place closed", { name });
      })();
      return closing;
    },
  };
}
