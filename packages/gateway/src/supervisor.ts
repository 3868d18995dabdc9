// App processes: one fresh child per launch — a warm standby when one is ready (standby.ts), else a cold start —,
// limits on live instances, every child reaped and its exit logged (docs/protocol.md §8.6; the original
// gateway never reaped its children).
import type { JsonObject, Logger } from "@allo/protocol";
import type { AppFolder } from "./app-folder.ts";
import { spawnAppProcess, stopAppProcess, type AppProcess } from "./app-process.ts";
import { StandbyPool, type StandbyInfo } from "./standby.ts";

export interface LaunchSpec {
  app: AppFolder;
  /** The place to connect to (ws://, wss:// or alloplace://). */
  placeUrl: string;
  /** Launch args as the place sent them, including avatarToken (docs/protocol.md §8.5). */
  args: JsonObject;
  /** The identity of the agent that asked for the launch. */
  identity: JsonObject;
}

export interface InstanceInfo {
  id: number;
  appPath: string;
  pid: number;
  placeUrl: string;
  startedAt: number;
  /** Served by a warm standby (started before the launch, waiting unconnected until it) rather than a cold start. */
  warm: boolean;
}

export interface InstanceExit extends InstanceInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  runtimeMs: number;
  /** The last lines the app wrote to stderr. */
  stderrTail: string[];
}

export class InstanceLimitError extends Error {
  override name = "InstanceLimitError";
}
export class AppStartError extends Error {
  override name = "AppStartError";
}
export class ShuttingDownError extends Error {
  override name = "ShuttingDownError";
}

export interface SupervisorOptions {
  /** Live instances allowed per app. Default 16. */
  maxInstancesPerApp?: number;
  /** Live instances allowed in total. Default 64. */
  maxInstances?: number;
  /** Time between SIGTERM and SIGKILL when stopping. Default 5000 ms. */
  stopTimeoutMs?: number;
  /**
   * Warm standbys kept per app (default 1; 0 turns them off). They count as processes against both limits, but
   * never cause a refusal: a launch that would fit without them evicts one.
   */
  standby?: number;
  /** The apps to keep standbys for (apps with `standby: true`). */
  apps?: readonly AppFolder[];
  /** How long an app keeps reconnecting to a place that went away before it exits. Default 300 000 ms. */
  placeAwayMs?: number;
  logger: Logger;
}

export const DEFAULT_PLACE_AWAY_MS = 300_000;

interface Live {
  info: InstanceInfo;
  proc: AppProcess;
  exited: Promise<InstanceExit>;
}

const KEEP_EXITS = 100;

export class Supervisor {
  readonly maxInstancesPerApp: number;
  readonly maxInstances: number;
  private readonly stopTimeoutMs: number;
  private readonly log: Logger;
  private readonly live = new Map<number, Live>();
  private readonly reserved = new Map<string, number>();
  private readonly exitListeners = new Set<(exit: InstanceExit) => void>();
  private readonly starting = new Set<Promise<unknown>>();
  private readonly pool: StandbyPool;
  private closing = false;
  private nextId = 1;
  /** The last 100 exits, oldest first. */
  readonly recentExits: InstanceExit[] = [];

  /** What every app process gets in its environment, on top of its launch. */
  private readonly appEnv: Record<string, string>;

  constructor(options: SupervisorOptions) {
    this.appEnv = { ALLO_RECONNECT_GIVE_UP_MS: String(options.placeAwayMs ?? DEFAULT_PLACE_AWAY_MS) };
    this.maxInstancesPerApp = options.maxInstancesPerApp ?? 16;
    this.maxInstances = options.maxInstances ?? 64;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.log = options.logger;
    this.pool = new StandbyPool({
      apps: options.apps ?? [],
      size: options.standby ?? 1,
      logger: options.logger,
      stopTimeoutMs: this.stopTimeoutMs,
      env: this.appEnv,
      hasRoom: (app) =>
        this.count(app.path) + this.pool.count(app.path) < this.maxInstancesPerApp &&
        this.count() + this.pool.count() < this.maxInstances,
    });
  }

  /** Starts the warm standbys (the gateway calls it once it listens). */
  warmUp(): void {
    this.pool.fill();
  }

  /** Warm standbys, starting or ready (not instances: they serve nobody yet). */
  standbys(appPath?: string): StandbyInfo[] {
    return this.pool.list(appPath);
  }

  /** Live instances (started and not yet exited). */
  instances(appPath?: string): InstanceInfo[] {
    return [...this.live.values()].map((l) => l.info).filter((i) => appPath === undefined || i.appPath === appPath);
  }

  count(appPath?: string): number {
    const starting = appPath === undefined ? sum(this.reserved.values()) : (this.reserved.get(appPath) ?? 0);
    return this.instances(appPath).length + starting;
  }

  onExit(listener: (exit: InstanceExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /**
   * Starts one app instance for a launch: hands it to a warm standby, or starts a process cold; resolves once the
   * process has it (a standby acknowledged, or the OS started the process). Throws InstanceLimitError,
   * AppStartError or ShuttingDownError.
   */
  async start(spec: LaunchSpec): Promise<InstanceInfo> {
    const appPath = spec.app.path;
    if (this.closing) throw new ShuttingDownError("the gateway is shutting down");
    if (this.count() >= this.maxInstances) {
      throw new InstanceLimitError(`the gateway runs its limit of ${this.maxInstances} app instances; try again later`);
    }
    if (this.count(appPath) >= this.maxInstancesPerApp) {
      throw new InstanceLimitError(
        `${spec.app.name} runs its limit of ${this.maxInstancesPerApp} instances; try again later`,
      );
    }
    this.reserved.set(appPath, (this.reserved.get(appPath) ?? 0) + 1);
    const started = this.startReserved(spec);
    this.starting.add(started);
    try {
      return await started;
    } finally {
      this.starting.delete(started);
      this.reserved.set(appPath, (this.reserved.get(appPath) ?? 1) - 1);
      // Replace a standby this launch took (once it connected: standby.ts holds fill() back until then).
      this.pool.fill();
    }
  }

  private async startReserved(spec: LaunchSpec): Promise<InstanceInfo> {
    const handoff = { placeUrl: spec.placeUrl, args: spec.args, identity: spec.identity };
    const standby = this.pool.enabled(spec.app) ? await this.pool.take(spec.app) : undefined;
    const warm = standby && (await this.pool.launch(standby, handoff));
    if (warm) return this.track(spec, warm, true);
    if (this.closing) throw new ShuttingDownError("the gateway is shutting down");
    // Standbys count against the limits; a cold start that fits without them makes room by stopping one.
    while (
      this.count(spec.app.path) + this.pool.count(spec.app.path) > this.maxInstancesPerApp &&
      this.pool.evictFor(spec.app, true)
    );
    while (this.count() + this.pool.count() > this.maxInstances && this.pool.evictFor(spec.app, false));
    const log = this.log.child(`${spec.app.name}#starting`);
    let proc: AppProcess;
    try {
      proc = await spawnAppProcess(spec.app, {
        // docs/protocol.md §8.5: the place URL (also argv), the launch args and the launcher's identity, as JSON.
        extraArgs: [spec.placeUrl],
        env: {
          ...this.appEnv,
          ALLO_PLACE_URL: spec.placeUrl,
          ALLO_APP_BOOT_ARGS: JSON.stringify(spec.args),
          ALLO_APP_BOOTED_BY_IDENTITY: JSON.stringify(spec.identity),
        },
        log,
      });
    } catch (error) {
      throw new AppStartError(`could not start ${spec.app.name}: ${(error as Error).message}`);
    }
    return this.track(spec, proc, false);
  }

  private track(spec: LaunchSpec, proc: AppProcess, warm: boolean): InstanceInfo {
    const info: InstanceInfo = {
      id: this.nextId++,
      appPath: spec.app.path,
      pid: proc.pid,
      placeUrl: spec.placeUrl,
      startedAt: Date.now(),
      warm,
    };
    const log = (proc.log = this.log.child(`${spec.app.name}#${info.id}`));
    const exited = proc.closed.then(({ code, signal }) => {
      const exit: InstanceExit = {
        ...info,
        code,
        signal,
        runtimeMs: Date.now() - info.startedAt,
        stderrTail: proc.stderrTail,
      };
      this.live.delete(info.id);
      this.recentExits.push(exit);
      if (this.recentExits.length > KEEP_EXITS) this.recentExits.shift();
      const fields = { pid: info.pid, code, signal, runtimeMs: exit.runtimeMs };
      if (code === 0 || signal === "SIGTERM") log.info("app exited", fields);
      else log.warn("app exited with an error", { ...fields, stderr: proc.stderrTail.slice(-10).join("\n") });
      for (const listener of this.exitListeners) listener(exit);
      this.pool.fill(); // room for a standby again
      return exit;
    });
    this.live.set(info.id, { info, proc, exited });
    log.info("app started", { pid: info.pid, place: spec.placeUrl, warm });
    return info;
  }

  /** Stops one instance: SIGTERM, then SIGKILL after stopTimeoutMs. Resolves with its exit. */
  async stop(id: number): Promise<InstanceExit | undefined> {
    const entry = this.live.get(id);
    if (!entry) return undefined;
    await stopAppProcess(entry.proc, this.stopTimeoutMs);
    return entry.exited;
  }

  /** Stops every standby and live instance, launches under way included, and waits until all are reaped. */
  async stopAll(): Promise<InstanceExit[]> {
    this.closing = true;
    const standbys = this.pool.close();
    await Promise.allSettled([...this.starting]);
    const exits = await Promise.all([...this.live.keys()].map((id) => this.stop(id)));
    await standbys;
    return exits.filter((e): e is InstanceExit => e !== undefined);
  }
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
