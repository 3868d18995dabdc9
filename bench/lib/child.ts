// Starts a TypeScript module as a separate Node process (tsx loader) with an IPC channel, and talks to it by
// request/response messages. Benchmarks pin the server and the load generator to different processes
// (their parsing and GC would otherwise show in the server's timings).
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ChildHandle {
  process: ChildProcess;
  /** Sends {cmd, ...args} and resolves the child's reply to it. */
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** The first message the child sends on its own (its "ready" message). */
  ready: Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

let nextCall = 1;

export function startChild(
  moduleUrl: string | URL,
  args: string[] = [],
  env: Record<string, string> = {},
): ChildHandle {
  const file = typeof moduleUrl === "string" && !moduleUrl.startsWith("file:") ? moduleUrl : fileURLToPath(moduleUrl);
  const child = fork(file, args, {
    execArgv: ["--import", "tsx", "--expose-gc"],
    env: { ...process.env, ALLO_LOG_LEVEL: process.env.ALLO_LOG_LEVEL ?? "warn", ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let readyResolve!: (v: Record<string, unknown>) => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<Record<string, unknown>>((res, rej) => ((readyResolve = res), (readyReject = rej)));
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  child.on("message", (m: { id?: number; ready?: boolean; error?: string; result?: unknown }) => {
    if (m.ready) return readyResolve(m as Record<string, unknown>);
    const p = m.id === undefined ? undefined : pending.get(m.id);
    if (!p) return;
    pending.delete(m.id!);
    if (m.error) p.reject(new Error(m.error));
    else p.resolve(m.result);
  });
  child.once("exit", (code, signal) => {
    const err = new Error(`child ${file} exited (code ${code}, signal ${signal})`);
    readyReject(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  return {
    process: child,
    ready,
    call<T>(cmd: string, a: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
      const id = nextCall++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`child call ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => (clearTimeout(timer), resolve(v as T)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        child.send({ id, cmd, ...a });
      });
    },
    async kill(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Inside a child: answers calls with the given handlers and announces readiness with `info`. */
export function serveParent(
  handlers: Record<string, (args: Record<string, unknown>) => unknown>,
  info: Record<string, unknown> = {},
): void {
  process.on("message", async (m: { id: number; cmd: string } & Record<string, unknown>) => {
    const handler = handlers[m.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${m.cmd}`);
      const result = await handler(m);
      process.send!({ id: m.id, result });
    } catch (e) {
      process.send!({ id: m.id, error: (e as Error).stack ?? String(e) });
    }
  });
  process.on("disconnect", () => process.exit(0));
  process.send!({ ready: true, ...info });
}
