// The client bundled by Vite for the browser, running in real Chromium against a real place.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { build } from "vite";
import { startTestBed, type TestBed } from "./harness.ts";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
];
const here = dirname(fileURLToPath(import.meta.url));
// Runs where Debian's chromium is installed (.ci/run installs it), as the root vitest.config.ts does for test/browser.
const CHROMIUM = "/usr/bin/chromium";
const suite = describe.skipIf(!existsSync(CHROMIUM));

let bed: TestBed;
let browser: Browser;
let server: Server;
let pageUrl: string;
let outDir: string;

suite("in a browser", () => {
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "allo-client-bundle-"));
    await build({
      configFile: false,
      logLevel: "silent",
      build: {
        outDir,
        minify: false,
        lib: { entry: join(here, "../src/index.ts"), formats: ["es"], fileName: () => "client.mjs" },
      },
    });
    const files = new Map(readdirSync(outDir).map((name) => [`/${name}`, readFileSync(join(outDir, name), "utf8")]));
    server = createServer((req, res) => {
      const file = files.get(req.url ?? "");
      if (file !== undefined) res.writeHead(200, { "content-type": "text/javascript" }).end(file);
      else
        res
          .writeHead(200, { "content-type": "text/html" })
          .end(
            `<!doctype html><script type="module">import * as allo from "/client.mjs"; window.allo = allo;</script>`,
          );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    pageUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    bed = await startTestBed();
  }, 60_000);

  afterAll(async () => {
    await bed?.teardown();
    await browser?.close();
    if (server) await new Promise((resolve) => server.close(resolve));
    rmSync(outDir, { recursive: true, force: true });
  });

  it("bundles without Node-only imports, connects, spawns and mirrors the world", async () => {
    for (const name of readdirSync(outDir))
      expect(readFileSync(join(outDir, name), "utf8")).not.toMatch(/from\s*["'](node:|ws["'])/);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => "allo" in window);
    const result = await page.evaluate(async (url) => {
      const { connect } = (window as unknown as { allo: typeof import("../src/index.ts") }).allo;
      const client = await connect(url, { identity: { display_name: "chromium" } });
      const { id } = await client.spawnEntity({ text: { string: "from the browser" } });
      await client.waitForWorld((w) => w.get(id) !== undefined);
      const out = {
        avatarId: client.avatarId,
        id,
        text: client.world.get(id)?.components.text,
        serverTime: client.serverTime(),
        revision: client.world.revision,
      };
      await client.close();
      return out;
    }, bed.place.url);
    expect(errors).toEqual([]);
    expect(result.text).toEqual({ string: "from the browser" });
    expect(result.revision).toBeGreaterThan(0);
    expect(Number.isFinite(result.serverTime)).toBe(true);
    await vi.waitFor(() => expect(bed.place.agents.size).toBe(0)); // closed and gone
  }, 30_000);
});
