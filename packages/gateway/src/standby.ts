// Warm standbys: app processes started ahead of launches. Each has loaded and compiled the app's modules and waits in
// @allo/ui's runApp, unconnected, for a launch over its IPC channel (ALLO_APP_STANDBY=1; packages/ui/src/run-app.ts).
// A launch takes one (it serves that launch only), and the pool starts a replacement in the background.
import type { JsonObject, Logger } from "@allo/protocol";
import type { AppFolder } from "./app-folder.ts";
import { spawnAppProcess, stopAppProcess, type AppProcess } from "./app-process.ts";

export interface StandbyOptions {
  apps: readonly AppFolder[];
  /** Standbys kept per app. 0 turns warm starts off. */
  size: number;
  /** Whether one more process may start for `app` within the instance limits (standbys count as processes). */
  hasRoom(app: AppFolder): boolean;
  logger: Logger;
  stopTimeoutMs: number;
  /** Set in every standby's environment (the supervisor's reconnect limit). */
  env?: Record<string, string>;
  /** A standby that is not ready by then is stopped. Default 60 s. */
  readyTimeoutMs?: number;
  /** A standby that does not acknowledge its launch by then is stopped and the launch starts cold. Default 10 s. */
  handoffTimeoutMs?: number;
}

export interface StandbyInfo {
  appPath: string;
  pid: number;
  /** Loaded and waiting for a launch (else still starting). */
  ready: boolean;
  startedAt: number;
}

interface Standby {
  app: AppFolder;
  /** Set once the OS started it. */
  proc?: AppProcess;
  info: StandbyInfo;
  /** Resolves true once ready, false if it ended (or was stopped) first. */
  ready: Promise<boolean>;
  taken: boolean;
}

/** What a launch hands a standby; the same three things a cold start gets in its environment (docs/protocol.md §8.5). */
export interface Handoff {
  placeUrl: string;
  args: JsonObject;
  identity: JsonObject;
}

/** After this many standbys in a row end before serving a launch, the app is started cold only. */
const MAX_FAILURES = 3;
/** Standbys starting at once, over all apps: starting one is CPU-bound, so in parallel they only slow each other. */
const MAX_STARTING = 1;
/** The longest a launched standby holds back the next one while it connects. */
const CONNECT_HOLD_MS = 5000;

export class StandbyPool {
  private readonly pools = new Map<string, Standby[]>();
  private readonly failures = new Map<string, number>();
  private readonly retryAt = new Map<string, number>();
  private readonly lastWarmupMs = new Map<string, number>();
  private readonly disabled = new Set<string>();
  /** Stops under way, and spawns the OS has not answered yet: close() waits for both. */
  private readonly stopping = new Set<Promise<unknown>>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private closing = false;
  /** Launched standbys still connecting: no new standby starts meanwhile, so as not to slow their launch down. */
  private connecting = 0;
  private readonly readyTimeoutMs: number;
  private readonly handoffTimeoutMs: number;

  constructor(private readonly options: StandbyOptions) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    this.handoffTimeoutMs = options.handoffTimeoutMs ?? 10_000;
    for (const app of options.apps) this.pools.set(app.path, []);
  }

  /** Whether `app` is kept warm at all (the gateway's size, the app's own `allo.standby`, no repeated failures). */
  enabled(app: AppFolder): boolean {
    return this.options.size > 0 && app.standby === true && !this.disabled.has(app.path);
  }

  /** Standbys (starting or ready) of one app, or of all. */
  count(appPath?: string): number {
    if (appPath !== undefined) return this.pools.get(appPath)?.length ?? 0;
    let n = 0;
    for (const list of this.pools.values()) n += list.length;
    return n;
  }

  list(appPath?: string): StandbyInfo[] {
    return [...this.pools.values()]
      .flat()
      .map((s) => s.info)
      .filter((i) => appPath === undefined || i.appPath === appPath);
  }

  /** Starts standbys where one is missing and there is room. Called whenever that may have changed. */
  fill(): void {
    if (this.closing || this.connecting > 0) return;
    let starting = [...this.pools.values()].flat().filter((s) => !s.info.ready).length;
    for (const app of this.options.apps) {
      if (starting >= MAX_STARTING) return;
      if (!this.enabled(app) || (this.retryAt.get(app.path) ?? 0) > Date.now()) continue;
      if (this.count(app.path) >= this.options.size || !this.options.hasRoom(app)) continue;
      this.start(app);
      starting++;
    }
  }

  /**
   * Takes a standby of `app` for one launch: a ready one, else the one starting (if this app's standbys have become
   * ready before, and it is not much slower than they were). Undefined when there is none: start cold.
   */
  async take(app: AppFolder): Promise<Standby | undefined> {
    for (;;) {
      const list = this.pools.get(app.path) ?? [];
      const ready = list.find((s) => s.info.ready);
      if (ready) return this.remove(ready);
      const starting = list.find((s) => !s.info.ready);
      const usual = this.lastWarmupMs.get(app.path);
      if (!starting || usual === undefined) return undefined;
      const waitMs = 2 * usual + 1000 - (Date.now() - starting.info.startedAt);
      if (waitMs <= 0) return undefined;
      let timer: NodeJS.Timeout | undefined;
      const readyInTime = await Promise.race([
        starting.ready,
        new Promise<false>((r) => (timer = setTimeout(r, waitMs, false))),
      ]);
      clearTimeout(timer);
      if (!readyInTime) return undefined;
      // Ready, unless another launch took it meanwhile: look again.
    }
  }

  /**
   * Gives a taken standby its launch and waits for it to acknowledge. Resolves with its process, now an ordinary
   * app process serving this launch, or undefined if it ended or did not answer (it is stopped; start cold).
   */
  async launch(standby: Standby, handoff: Handoff): Promise<AppProcess | undefined> {
    const proc = standby.proc!; // taken standbys are ready, so started
    const { child } = proc;
    const acknowledged = await new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("close", onClose);
        resolve(ok);
      };
      const onMessage = (message: { type?: unknown }) => message?.type === "allo:launched" && done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), this.handoffTimeoutMs);
      child.on("message", onMessage);
      child.once("close", onClose);
      if (!child.connected) return done(false);
      child.send({ type: "allo:launch", ...handoff }, (error) => {
        if (error) done(false);
      });
    });
    if (!acknowledged) {
      proc.log.warn("standby did not take its launch; starting the app cold", {
        pid: proc.pid,
        stderr: proc.stderrTail.slice(-10).join("\n"),
      });
      this.failed(standby.app);
      this.stopInBackground(proc);
      return undefined;
    }
    this.failures.set(standby.app.path, 0);
    this.holdWhileConnecting(proc);
    // The child drops the channel itself (after "allo:connected"). Not from this side: a parent-side disconnect() never counts towards the
    // child's "close" event (Node 20 only counts the channel's EOF), so the exit would go unnoticed.
    return proc;
  }

  /** Stops one standby of another app (or of this one if none), to make room for a cold start within the limits. */
  evictFor(app: AppFolder, sameAppOnly: boolean): boolean {
    const candidates = [...this.pools.values()].flat().filter((s) => (sameAppOnly ? s.app.path === app.path : true));
    candidates.sort(
      (a, b) =>
        Number(a.app.path === app.path) - Number(b.app.path === app.path) ||
        Number(a.info.ready) - Number(b.info.ready),
    );
    const victim = candidates[0];
    if (!victim) return false;
    this.remove(victim);
    this.options.logger.debug("standby stopped to make room", { app: victim.app.name, pid: victim.info.pid });
    if (victim.proc) this.stopInBackground(victim.proc); // else start() stops it once the OS has started it
    return true;
  }

  /** Stops every standby and starts no more; resolves once all are reaped. */
  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    // Those still spawning are stopped by start() as soon as the OS has started them.
    for (const standby of [...this.pools.values()].flat())
      if (this.remove(standby).proc) this.stopInBackground(standby.proc!);
    while (this.stopping.size > 0) await Promise.all(this.stopping);
  }

  private start(app: AppFolder): void {
    const log = this.options.logger.child(`${app.name}~standby`);
    const startedAt = Date.now();
    const info: StandbyInfo = { appPath: app.path, pid: 0, ready: false, startedAt };
    let becomeReady!: (ok: boolean) => void;
    const standby: Standby = { app, info, ready: new Promise((r) => (becomeReady = r)), taken: false };
    // Counted from now, so fill() and the limits see it while the OS starts it.
    this.pools.get(app.path)!.push(standby);
    const spawned = spawnAppProcess(app, { env: { ...this.options.env, ALLO_APP_STANDBY: "1" }, ipc: true, log }).then(
      (proc) => {
        standby.proc = proc;
        info.pid = proc.pid;
        if (standby.taken) {
          // Evicted or closing while the OS started it.
          becomeReady(false);
          return this.stopInBackground(proc);
        }
        const readyTimer = setTimeout(() => {
          log.warn("standby not ready in time; stopping it", { pid: proc.pid, timeoutMs: this.readyTimeoutMs });
          this.stopInBackground(proc);
        }, this.readyTimeoutMs);
        proc.child.on("message", (message: { type?: unknown }) => {
          if (message?.type !== "allo:standby" || info.ready) return;
          clearTimeout(readyTimer);
          info.ready = true;
          this.lastWarmupMs.set(app.path, Date.now() - startedAt);
          log.debug("standby ready", { pid: proc.pid, warmupMs: Date.now() - startedAt });
          becomeReady(true);
          this.fill();
        });
        void proc.closed.then(({ code, signal }) => {
          clearTimeout(readyTimer);
          becomeReady(false);
          if (standby.taken || this.closing) return; // a launch owns it now, or the gateway stopped it
          this.remove(standby);
          log.warn(info.ready ? "standby ended while waiting for a launch" : "standby ended before it was ready", {
            pid: proc.pid,
            code,
            signal,
            stderr: proc.stderrTail.slice(-10).join("\n"),
          });
          this.failed(app);
          this.fill();
        });
      },
      (error: Error) => {
        becomeReady(false);
        if (standby.taken) return;
        this.remove(standby);
        log.warn("could not start a standby", { error: error.message });
        this.failed(app);
        this.fill();
      },
    );
    const tracked = spawned.finally(() => this.stopping.delete(tracked));
    this.stopping.add(tracked);
  }

  /** Holds fill() back until the launched process says it connected, ends, or CONNECT_HOLD_MS passed. */
  private holdWhileConnecting(proc: AppProcess): void {
    this.connecting++;
    const release = () => {
      clearTimeout(timer);
      proc.child.off("message", onMessage);
      proc.child.off("close", release);
      this.connecting--;
      this.fill();
    };
    const onMessage = (message: { type?: unknown }) => message?.type === "allo:connected" && release();
    const timer = setTimeout(release, CONNECT_HOLD_MS);
    proc.child.on("message", onMessage);
    proc.child.once("close", release);
  }

  private remove(standby: Standby): Standby {
    standby.taken = true;
    const list = this.pools.get(standby.app.path)!;
    const at = list.indexOf(standby);
    if (at >= 0) list.splice(at, 1);
    return standby;
  }

  /** One more standby of `app` failed: retry later, and after MAX_FAILURES in a row keep the app cold. */
  private failed(app: AppFolder): void {
    const failures = (this.failures.get(app.path) ?? 0) + 1;
    this.failures.set(app.path, failures);
    if (failures >= MAX_FAILURES) {
      if (!this.disabled.has(app.path)) {
        this.disabled.add(app.path);
        this.options.logger.warn(
          `${app.name}: ${failures} standbys in a row ended before serving a launch; its launches start cold from now on`,
          {
            hint: "an app kept warm must start through runApp from @allo/ui, and read its launch args when it renders (docs/hosting.md)",
          },
        );
      }
      return;
    }
    const delayMs = 1000 * 2 ** (failures - 1);
    this.retryAt.set(app.path, Date.now() + delayMs);
    clearTimeout(this.retryTimers.get(app.path));
    this.retryTimers.set(
      app.path,
      setTimeout(() => this.fill(), delayMs),
    );
  }

  private stopInBackground(proc: AppProcess): void {
    const stopped = stopAppProcess(proc, this.options.stopTimeoutMs).finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
  }
}
