// `npm start` is `allo start`: a real process that prints the visor's URL, serves it, and stops cleanly on Ctrl-C.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ALLO = fileURLToPath(new URL("../../packages/cli/bin/allo.mjs", import.meta.url));

describe("allo start (the process behind npm start)", () => {
  it("prints the visor URL, serves the visor there, and exits 0 on SIGINT", { timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, [ALLO, "start", "--port", "0", "--gateway-port", "0", "--no-launch"], {
      env: { ...process.env, ALLO_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no visor URL printed; stdout: ${stdout}\nstderr: ${stderr}`)),
          100_000,
        );
        child.stdout.on("data", () => {
          const match = /Open the visor: (http:\/\/\S+)/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      expect(stdout).toMatch(/Place: {3}alloplace:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(/alloapp:http:\/\/127\.0\.0\.1:\d+\/hello .*not launched/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await page.text();
      const script = /src="\.\/(static\/[^"]+\.js)"/.exec(html)![1];
      const bundle = await fetch(new URL(script, url));
      expect(bundle.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(bundle.headers.get("cache-control")).toContain("immutable");
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
  });
});
