// One app process as the gateway sees it: spawned in the app's folder, its output logged and its stderr tail kept,
// and a promise of its end. Used for cold starts (supervisor.ts) and warm standbys (standby.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Logger } from "@allo/protocol";
import type { AppFolder } from "./app-folder.ts";

export interface AppProcess {
  child: ChildProcess;
  pid: number;
  /** The last lines the app wrote to stderr. */
  stderrTail: string[];
  /** Where its output goes; relabelled when a standby becomes an instance. */
  log: Logger;
  /** Resolves after the exit and after stdio ended (so the stderr tail is complete). */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const TAIL_LINES = 20;
const MAX_LINE = 500;
/** What the gateway tells a launched app (docs/protocol.md §8.5); a standby gets these over IPC instead. */
const LAUNCH_ENV = ["ALLO_PLACE_URL", "ALLO_APP_BOOT_ARGS", "ALLO_APP_BOOTED_BY_IDENTITY", "ALLO_APP_STANDBY"];

/**
 * Starts `app.command` plus `extraArgs` in the app's folder with `env` on top of the gateway's own environment
 * (minus any launch variables the gateway itself was started with). Resolves once the OS started it.
 */
export function spawnAppProcess(
  app: AppFolder,
  options: { extraArgs?: string[]; env: Record<string, string>; ipc?: boolean; log: Logger },
): Promise<AppProcess> {
  const [file, ...args] = app.command;
  // Hosted apps run Solid's production build unless the operator's environment says otherwise.
  const env: NodeJS.ProcessEnv = { NODE_ENV: "production", ...process.env };
  for (const name of LAUNCH_ENV) delete env[name];
  const child = spawn(file, [...args, ...(options.extraArgs ?? [])], {
    cwd: app.dir,
    stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
    env: { ...env, ...options.env },
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("spawn", () => {
      child.off("error", reject);
      resolve(watch(child, options.log));
    });
  });
}

function watch(child: ChildProcess, log: Logger): AppProcess {
  const stderrTail: string[] = [];
  const proc: AppProcess = {
    child,
    pid: child.pid!,
    stderrTail,
    log,
    closed: new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal }))),
  };
  forwardLines(child.stdout!, (line) => proc.log.info(line));
  forwardLines(child.stderr!, (line) => {
    proc.log.info(line);
    stderrTail.push(line.length > MAX_LINE ? line.slice(0, MAX_LINE) + "…" : line);
    if (stderrTail.length > TAIL_LINES) stderrTail.shift();
  });
  child.on("error", (error) => proc.log.warn("process error", { error }));
  return proc;
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process is reaped. */
export async function stopAppProcess(proc: AppProcess, timeoutMs: number): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), timeoutMs);
  try {
    await proc.closed;
  } finally {
    clearTimeout(timer);
  }
}

function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on("line", onLine);
}
