// Test helpers: raw HTTP (fetch() would normalise "../" away before sending) and polling for files and exits.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";

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
  return waitFor(() => existsSync(file) && readFileSync(file, "utf8").length > 0 && JSON.parse(readFileSync(file, "utf8")), `report ${file}`);
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
