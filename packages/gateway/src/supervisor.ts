// App processes: one fresh child per launch, limits on live instances, every child reaped and its exit logged
// (PROTOCOL.md §8 "Gateway extras"; the original gateway never reaped: alloverse-protocol-facts.md §9).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { JsonObject, Logger } from "@allo/protocol";
import type { AppFolder } from "./app-folder.ts";

export interface LaunchSpec {
  app: AppFolder;
  /** The place to connect to (ws://, wss:// or alloplace://). */
  placeUrl: string;
  /** Launch args as the place sent them, including avatarToken (PROTOCOL.md §8.5). */
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

export interface SupervisorOptions {
  /** Live instances allowed per app. Default 16. */
  maxInstancesPerApp?: number;
  /** Live instances allowed in total. Default 64. */
  maxInstances?: number;
  /** Time between SIGTERM and SIGKILL when stopping. Default 5000 ms. */
  stopTimeoutMs?: number;
  logger: Logger;
}

interface Live {
  info: InstanceInfo;
  child: ChildProcess;
  stderrTail: string[];
  exited: Promise<InstanceExit>;
}

const TAIL_LINES = 20;
const MAX_LINE = 500;
const KEEP_EXITS = 100;

export class Supervisor {
  readonly maxInstancesPerApp: number;
  readonly maxInstances: number;
  private readonly stopTimeoutMs: number;
  private readonly log: Logger;
  private readonly live = new Map<number, Live>();
  private readonly reserved = new Map<string, number>();
  private readonly exitListeners = new Set<(exit: InstanceExit) => void>();
  private nextId = 1;
  /** The last 100 exits, oldest first. */
  readonly recentExits: InstanceExit[] = [];

  constructor(options: SupervisorOptions) {
    this.maxInstancesPerApp = options.maxInstancesPerApp ?? 16;
    this.maxInstances = options.maxInstances ?? 64;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.log = options.logger;
  }

  /** Live instances (started and not yet exited). */
  instances(appPath?: string): InstanceInfo[] {
    return [...this.live.values()].map((l) => l.info).filter((i) => appPath === undefined || i.appPath === appPath);
  }

  count(appPath?: string): number {
    const starting = appPath === undefined ? sum(this.reserved.values()) : this.reserved.get(appPath) ?? 0;
    return this.instances(appPath).length + starting;
  }

  onExit(listener: (exit: InstanceExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Starts one app process; resolves once the OS started it. Throws InstanceLimitError or AppStartError. */
  async start(spec: LaunchSpec): Promise<InstanceInfo> {
    const appPath = spec.app.path;
    if (this.count() >= this.maxInstances) {
      throw new InstanceLimitError(`the gateway runs its limit of ${this.maxInstances} app instances; try again later`);
    }
    if (this.count(appPath) >= this.maxInstancesPerApp) {
      throw new InstanceLimitError(`${spec.app.name} runs its limit of ${this.maxInstancesPerApp} instances; try again later`);
    }
    this.reserved.set(appPath, (this.reserved.get(appPath) ?? 0) + 1);
    try {
      return await this.spawnChild(spec);
    } finally {
      this.reserved.set(appPath, (this.reserved.get(appPath) ?? 1) - 1);
    }
  }

  private spawnChild(spec: LaunchSpec): Promise<InstanceInfo> {
    const [file, ...args] = spec.app.command;
    const child = spawn(file, [...args, spec.placeUrl], {
      cwd: spec.app.dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        // PROTOCOL.md §8.5: the place URL (also argv), the launch args and the launcher's identity, as JSON.
        ALLO_PLACE_URL: spec.placeUrl,
        ALLO_APP_BOOT_ARGS: JSON.stringify(spec.args),
        ALLO_APP_BOOTED_BY_IDENTITY: JSON.stringify(spec.identity),
      },
    });
    return new Promise((resolve, reject) => {
      child.once("error", (error) => reject(new AppStartError(`could not start ${spec.app.name}: ${error.message}`)));
      child.once("spawn", () => resolve(this.track(spec, child)));
    });
  }

  private track(spec: LaunchSpec, child: ChildProcess): InstanceInfo {
    const info: InstanceInfo = { id: this.nextId++, appPath: spec.app.path, pid: child.pid!, placeUrl: spec.placeUrl, startedAt: Date.now() };
    const log = this.log.child(`${spec.app.name}#${info.id}`);
    const stderrTail: string[] = [];
    forwardLines(child.stdout!, (line) => log.info(line));
    forwardLines(child.stderr!, (line) => {
      log.info(line);
      stderrTail.push(line.length > MAX_LINE ? line.slice(0, MAX_LINE) + "…" : line);
      if (stderrTail.length > TAIL_LINES) stderrTail.shift();
    });
    child.on("error", (error) => log.warn("process error", { error }));
    const exited = new Promise<InstanceExit>((resolve) => {
      // "close" comes after the exit and after stdio ended, so the stderr tail is complete.
      child.once("close", (code, signal) => {
        const exit: InstanceExit = { ...info, code, signal, runtimeMs: Date.now() - info.startedAt, stderrTail };
        this.live.delete(info.id);
        this.recentExits.push(exit);
        if (this.recentExits.length > KEEP_EXITS) this.recentExits.shift();
        const fields = { pid: info.pid, code, signal, runtimeMs: exit.runtimeMs };
        if (code === 0 || signal === "SIGTERM") log.info("app exited", fields);
        else log.warn("app exited with an error", { ...fields, stderr: stderrTail.slice(-10).join("\n") });
        for (const listener of this.exitListeners) listener(exit);
        resolve(exit);
      });
    });
    this.live.set(info.id, { info, child, stderrTail, exited });
    log.info("app started", { pid: info.pid, place: spec.placeUrl });
    return info;
  }

  /** Stops one instance: SIGTERM, then SIGKILL after stopTimeoutMs. Resolves with its exit. */
  async stop(id: number): Promise<InstanceExit | undefined> {
    const entry = this.live.get(id);
    if (!entry) return undefined;
    entry.child.kill("SIGTERM");
    const timer = setTimeout(() => entry.child.kill("SIGKILL"), this.stopTimeoutMs);
    try {
      return await entry.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops every live instance and waits until all are reaped. */
  async stopAll(): Promise<InstanceExit[]> {
    const exits = await Promise.all([...this.live.keys()].map((id) => this.stop(id)));
    return exits.filter((e): e is InstanceExit => e !== undefined);
  }
}

function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on("line", onLine);
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
