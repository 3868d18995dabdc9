import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPlace } from "@allo/place/testing";
import type { Place } from "@allo/place";
import { visorHttpHandler } from "../src/serve.ts";

describe("serving the built visor from a place", () => {
  let dist: string;
  let place: Place;
  let base: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), "allo-visor-dist-"));
    mkdirSync(join(dist, "static"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>Allo visor</title>");
    writeFileSync(join(dist, "static", "main-AbC123.js"), "console.log('visor')");
    writeFileSync(join(dist, "static", "index-XyZ.css"), "body{}");
    writeFileSync(join(dist, "static", "inter-Q1.woff"), Buffer.from([0x77, 0x4f, 0x46, 0x46]));
    writeFileSync(join(dist, "secret.txt"), "not for the web");
    place = await startTestPlace({ httpHandler: visorHttpHandler({ distDir: dist }) });
    base = `http://127.0.0.1:${place.port}`;
  });
  afterAll(async () => {
    await place.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("serves index.html at / as HTML that is revalidated every time", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toContain("<title>Allo visor</title>");
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${base}/?place=ws://elsewhere/`, { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
  });

  it("serves hashed files under /static/ as immutable, with their content types", async () => {
    const cases: [string, string][] = [
      ["main-AbC123.js", "text/javascript; charset=utf-8"],
      ["index-XyZ.css", "text/css; charset=utf-8"],
      ["inter-Q1.woff", "font/woff"],
    ];
    for (const [name, type] of cases) {
      const res = await fetch(`${base}/static/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get("content-type"), name).toBe(type);
      expect(res.headers.get("cache-control"), name).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const head = await fetch(`${base}/static/main-AbC123.js`, { method: "HEAD" });
    expect(head.headers.get("content-length")).toBe(String("console.log('visor')".length));
  });

  it("never serves a file outside dist/static, and leaves other paths to the place", async () => {
    expect((await fetch(`${base}/static/..%2Fsecret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/static/../secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/static/missing-1.js`)).status).toBe(404);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
  });

  it("lets the place describe itself at / while the visor is not built", async () => {
    const empty = mkdtempSync(join(tmpdir(), "allo-visor-empty-"));
    const bare = await startTestPlace({ httpHandler: visorHttpHandler({ distDir: empty }) });
    try {
      const res = await fetch(`http://127.0.0.1:${bare.port}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("Allo place");
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
