// Assets end to end (docs/protocol.md §9): @allo/client publishes a 5 MB file in one call; another client and a real
// Chromium (HTTP GET /assets/<id>) get it intact through a real place.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chromium } from "playwright-core";
import {
  AssetError,
  assetIdOf,
  connect,
  fetchAsset,
  publishAsset,
  publishAssetFile,
  type AlloClient,
} from "@allo/client";
import { startPlace, type Place } from "@allo/place";

const CHROMIUM = "/usr/bin/chromium";
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function placeWithClients(
  count: number,
  options: Parameters<typeof startPlace>[0] = {},
): Promise<{ place: Place; clients: AlloClient[] }> {
  const place = await startPlace({ port: 0, logLevel: "silent", ...options });
  cleanups.push(() => place.close());
  const clients: AlloClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = await connect(place.url, { identity: { display_name: `client ${i}` } });
    cleanups.push(() => client.close());
    clients.push(client);
  }
  return { place, clients };
}

describe("assets with @allo/client", () => {
  it("publishing a file is one call; another client and a browser get it intact", async () => {
    const {
      place,
      clients: [publisher, reader],
    } = await placeWithClients(2);
    const dir = mkdtempSync(join(tmpdir(), "allo-asset-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const bytes = randomBytes(5 * 1024 * 1024);
    writeFileSync(join(dir, "model.glb"), bytes);

    const id = await publishAssetFile(publisher, join(dir, "model.glb"));
    expect(id).toBe(await assetIdOf(bytes));

    const fetched = await fetchAsset(reader, id);
    expect(Buffer.from(fetched).equals(bytes)).toBe(true);

    if (!existsSync(CHROMIUM)) return; // the HTTP path is also covered by packages/place/test/assets.test.ts
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const http = place.url.replace(/^ws:/, "http:");
    await page.goto(`${http}healthz`);
    const seen = await page.evaluate(async (assetId) => {
      const response = await fetch(`/assets/${assetId}`);
      const buffer = await response.arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
      return {
        status: response.status,
        length: buffer.byteLength,
        hash: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
      };
    }, id);
    expect(seen).toEqual({ status: 200, length: bytes.length, hash: id.slice("asset:sha256:".length) });
  }, 60_000);

  it("rejects an asset nobody has (publishers answer at once) and a malformed id", async () => {
    const {
      clients: [publisher, reader],
    } = await placeWithClients(2);
    const id = await publishAsset(publisher, new TextEncoder().encode("hello"));
    expect(new TextDecoder().decode(await fetchAsset(reader, id))).toBe("hello");
    await expect(fetchAsset(reader, "asset:sha256:" + "0".repeat(64))).rejects.toThrow(
      new AssetError("asset:sha256:" + "0".repeat(64), "no agent in the place has this asset"),
    );
    await expect(fetchAsset(reader, "not an id")).rejects.toThrow(/asset ids look like/);
  });

  it("is told at once that nobody has an asset by clients that never published one", async () => {
    // A minute's place timeout: only the bystanders' answers can end this fetch within the test's time.
    const {
      clients: [, , reader],
    } = await placeWithClients(3, { assets: { fetchTimeoutMs: 60_000 } });
    await expect(fetchAsset(reader, "asset:sha256:" + "1".repeat(64))).rejects.toThrow(
      /no agent in the place has this asset/,
    );
  });
});
