// Real processes for the restart tests: `allo place` and `allo run` as a user starts them, and an observer agent.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { connect, type AlloClient } from "@allo/client";
import { createLogger, type Entity } from "@allo/protocol";

const repo = join(import.meta.dirname, "..", "..");
export const allo = join(repo, "packages", "cli", "bin", "allo.mjs");
export const fixtures = join(import.meta.dirname, "fixtures");

/** A child process with its output collected, and a way to wait for a line in it. */
export class Proc {
  output = "";
  label = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on("data", (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until the output from index `from` on matches. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.slice(from).match(pattern);
      if (match) return match;
      if (!this.running) throw new Error(`the process exited before printing ${pattern}; it printed:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`never printed ${pattern}; it printed:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

const running = new Set<Proc>();
/** Every process started since the last killAll(), running or not. */
const started = new Set<Proc>();

function start(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [allo, ...args], {
    cwd: repo,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  const proc = new Proc(child);
  proc.label = `allo ${args.join(" ")}`;
  running.add(proc);
  started.add(proc);
  void proc.exited.then(() => running.delete(proc));
  return proc;
}

/** What every process these helpers started printed (for a failed test's report). */
export function outputs(): string {
  return [...started].map((p) => `--- ${p.label}\n${p.output}`).join("\n");
}

/** Ends every process these helpers started (afterEach). */
export async function killAll(): Promise<void> {
  started.clear();
  await Promise.all([...running].map((p) => p.kill("SIGKILL")));
}

export interface PlaceProc extends Proc {
  port: number;
  url: string;
  /** When it printed its URL (ready for agents). */
  readyAt: number;
}

/** `allo place --port <port>` (0: a free one); resolves once it printed its URL. */
export async function startPlaceProcess(
  port = 0,
  name = "Restart test place",
  args: string[] = [],
): Promise<PlaceProc> {
  const proc = start(["place", "--port", String(port), "--name", name, "--log-level", "info", ...args]) as PlaceProc;
  const [, url, actualPort] = await proc.waitFor(/^(ws:\/\/127\.0\.0\.1:(\d+)\/)$/m);
  proc.url = url;
  proc.port = Number(actualPort);
  proc.readyAt = Date.now();
  return proc;
}

/** `allo run <fixture> <url>` with its own data directory; resolves once it logged that it is running. */
export function runApp(fixture: string, url: string, env: NodeJS.ProcessEnv = {}): Proc {
  return start(["run", join(fixtures, fixture, "src", "app.tsx"), url], { ALLO_LOG_LEVEL: "info", ...env });
}

export function tempDir(prefix: string): string {
  const base = join(import.meta.dirname, ".tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}

/** An agent that sees the world as a visor would. */
export async function observer(url: string): Promise<AlloClient> {
  return connect(url, { identity: { display_name: "observer" }, logger: createLogger("observer", "silent") });
}

const textOf = (e: Entity) => (e.components.text as { string?: string } | undefined)?.string ?? "";

export function findText(client: AlloClient, pattern: RegExp): Entity | undefined {
  for (const entity of client.world.entities.values()) if (pattern.test(textOf(entity))) return entity;
  return undefined;
}

// 60 s: the first wait also covers an app process starting (Node, tsx, a cold Babel compile) on a loaded machine.
export async function waitForText(client: AlloClient, pattern: RegExp, timeout = 60_000): Promise<Entity> {
  await client.waitForWorld(() => findText(client, pattern) !== undefined, { timeout });
  return findText(client, pattern)!;
}

/** Pokes the button whose label matches, as a hand does (press, release). */
export async function pokeButton(client: AlloClient, label: RegExp): Promise<void> {
  const text = await waitForText(client, label);
  const button = (text.components.relationships as { parent: string }).parent;
  await client.request(client.avatarId, button, ["poke", true]);
  await client.request(client.avatarId, button, ["poke", false]);
}

/** The reconnect attempts an app logged (client.ts "reconnect attempt"), in order. */
export function reconnectAttempts(
  output: string,
): Array<{ attempt: number; delayMs: number; awayMs: number; code: number }> {
  return [...output.matchAll(/client: reconnect attempt (\{.*\})$/gm)].map(
    (m) => JSON.parse(m[1]) as { attempt: number; delayMs: number; awayMs: number; code: number },
  );
}
