// Test helpers: gateways closed after each test, raw HTTP (fetch() would normalise "../" away before sending) and
// polling for files and exits.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll } from "vitest";
import { createLogger } from "@allo/protocol";
import { loadAppFolder, startGateway, type AppFolder, type Gateway, type GatewayOptions } from "../src/index.ts";

export const fixtures = join(import.meta.dirname, "fixtures");

/** Registers the hooks of a test file that starts gateways: each is closed after its test, report files go in a temp dir. */
export function useGateways(prefix: string) {
  const logger = createLogger("gateway", "silent");
  let dir = "";
  let gateways: Gateway[] = [];
  let reports = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    return () => rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    gateways = [];
  });
  return {
    logger,
    async gateway(apps: AppFolder[], options: Partial<GatewayOptions> = {}): Promise<Gateway> {
      const g = await startGateway({ apps, port: 0, host: "127.0.0.1", logger, ...options });
      gateways.push(g);
      return g;
    },
    app: (name: string, path = "/") => loadAppFolder(join(fixtures, name), path),
    reportFile: () => join(dir, `report-${++reports}.json`),
    dir: () => dir,
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

export function launch(baseUrl: string, path: string, args: object, identity: object = { display_name: "tester" }) {
  return rawRequest(baseUrl, "POST", path, {
    headers: {
      "content-type": "application/json",
      "x-alloverse-server": "ws://127.0.0.1:21999/",
      "x-alloverse-launched-by": JSON.stringify(identity),
    },
    body: JSON.stringify(args),
  });
}

export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function readReport(file: string): Promise<any> {
  return waitFor(
    () => existsSync(file) && readFileSync(file, "utf8").length > 0 && JSON.parse(readFileSync(file, "utf8")),
    `report ${file}`,
  );
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The children of process `ppid` (default: this one), zombies included (a child not yet reaped is listed). Linux /proc. */
export function childPids(ppid = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // it ended while we looked
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
    if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === ppid) pids.push(Number(entry));
  }
  return pids;
}
