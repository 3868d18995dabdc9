// npx create-alloapp, from this repository (Allo is not on the npm registry yet): scaffold into a temporary folder,
// take the workspace's own packages as `npm pack` tarballs, install as a new user would, run the new app's own test,
// then serve it with its own `allo serve` and launch it from a place. The npm cache is the test's own, empty at the
// start: the first scaffold fills it from the registry, and a second one then installs with --offline from it, so
// the test never depends on what this machine's cache happens to hold.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeForLaunches, poll, visitor } from "./helpers.ts";

const repo = join(import.meta.dirname, "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "allo-create-"));
const npmCache = join(scratch, "npm-cache");
const appDir = join(scratch, "star-app");
let created: { code: number; output: string };

function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs = 240_000,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: "1", ALLO_LOG_LEVEL: "warn", npm_config_cache: npmCache };
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

const createAlloapp = (name: string, ...flags: string[]) =>
  run(
    process.execPath,
    [join(repo, "packages/create-alloapp/bin/create-alloapp.mjs"), name, "--yes", ...flags],
    scratch,
  );

beforeAll(async () => {
  created = await createAlloapp("star-app", "--template", "hello");
}, 300_000);
// Two installed projects and an npm cache: tens of thousands of files, which take a while on a loaded machine.
afterAll(() => rm(scratch, { recursive: true, force: true }), 120_000);

describe("npx create-alloapp, from this repository", () => {
  it("writes the project, packs the workspace's packages, installs and prints the next steps", () => {
    expect(created.code, created.output).toBe(0);
    expect(created.output).toContain("Taking the Allo packages from");
    expect(created.output).toContain("Installing dependencies: npm install --no-audit --no-fund\n");
    expect(created.output).toMatch(/Installed in \d+\.\d s/);
    expect(created.output).toContain("cd star-app\n  npm run dev");
    for (const file of [
      "src/app.tsx",
      "test/app.test.tsx",
      "Dockerfile",
      "vendor/allo/allo-ui-0.1.0.tgz",
      "node_modules/@allo/ui/package.json",
      "node_modules/.bin/allo",
    ]) {
      expect(existsSync(join(appDir, file)), file).toBe(true);
    }
    // Installed from the tarballs (a copy), not linked to the workspace.
    expect(readFileSync(join(appDir, "node_modules/@allo/ui/package.json"), "utf8")).toContain('"name": "@allo/ui"');
  });

  it("installs with --offline from what the npm cache holds", async () => {
    expect(created.code, "the first scaffold failed, so the cache was not filled").toBe(0);
    const offline = await createAlloapp("offline-app", "--template", "blank", "--offline");
    expect(offline.code, offline.output).toBe(0);
    expect(offline.output).toContain("Installing dependencies: npm install --no-audit --no-fund --offline");
    expect(existsSync(join(scratch, "offline-app/node_modules/.bin/allo"))).toBe(true);
    expect(existsSync(join(scratch, "offline-app/node_modules/vitest/package.json"))).toBe(true);
  }, 240_000);

  it("passes its own npm test against a real place", async () => {
    expect(created.code, created.output).toBe(0);
    const test = await run("npm", ["test"], appDir);
    expect(test.code, test.output).toBe(0);
    expect(test.output).toMatch(/Tests\s+2 passed/);
  }, 120_000);

  it("is launched from a place through its own allo serve", async () => {
    expect(created.code, created.output).toBe(0);
    const serve = spawn(join(appDir, "node_modules/.bin/allo"), ["serve", "--port", "0", "--host", "127.0.0.1"], {
      cwd: appDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    serve.stdout.on("data", (d: Buffer) => (output += d.toString()));
    serve.stderr.on("data", (d: Buffer) => (output += d.toString()));
    serve.once("error", (e) => (output += `could not start allo serve: ${e.message}`));
    const place = await placeForLaunches();
    try {
      await poll(
        () => /alloapp:(http:\/\/\S+\/) +Star App/.test(output),
        `allo serve to start; it printed:\n${output}`,
        30_000,
      );
      const appUrl = /alloapp:(http:\/\/\S+\/) +Star App/.exec(output)![1];
      const agent = await visitor(place, "Linus");
      const response = await agent.request(["launch_app", `alloapp:${appUrl}`, {}], { timeoutMs: 40_000 });
      expect(response, output).toEqual(["launch_app", "ok", expect.any(String)]);
      await poll(
        () =>
          Object.values(place.world.toDocument().entities).some(
            (e) => (e.components.text as { string?: string } | undefined)?.string === "Hello, Linus!",
          ),
        "the greeting",
      );
      await agent.close();
    } finally {
      if (serve.pid !== undefined && serve.exitCode === null && serve.signalCode === null) {
        const exited = new Promise((r) => serve.once("exit", r));
        serve.kill("SIGTERM");
        await exited;
      }
      await place.close();
    }
  }, 90_000);
});
