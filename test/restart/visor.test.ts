// A visor (real Chromium, the built visor served by the place) and an `allo run` app, both back after the place
// restarts (SIGTERM, then started again on the same port): the visor draws the app's entities under their new ids.
import { existsSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AlloClient } from "@allo/client";
import { CHROMIUM, launchChromium, openVisor, waitForEntity, type Browser } from "../browser/harness.ts";
import { killAll, observer, pokeButton, runApp, startPlaceProcess, tempDir, waitForText } from "./helpers.ts";

const observers: AlloClient[] = [];
let browser: Browser | undefined;
beforeAll(async () => {
  if (existsSync(CHROMIUM)) browser = await launchChromium();
});
afterAll(async () => browser?.close());
afterEach(async () => {
  await Promise.all(observers.splice(0).map((o) => o.close()));
  await killAll();
});

describe.skipIf(!existsSync(CHROMIUM))("a visor and an app across a place restart", () => {
  it("both come back, and the visor shows the app's entities with the count they had", async () => {
    const place = await startPlaceProcess();
    const httpUrl = place.url.replace(/^ws:/, "http:");
    const app = runApp("counter", place.url, { ALLO_DATA_DIR: tempDir("counter-") });
    const eye = await observer(place.url);
    observers.push(eye);
    await pokeButton(eye, /Poked 0 times/);
    const label = await waitForText(eye, /Poked 1 times/);
    const { page, errors } = await openVisor(browser!, httpUrl, "restart visor");
    await waitForEntity(page, label.id);
    const visorAvatar = await page.evaluate(() => window.alloVisor.state().avatarId);

    await place.kill("SIGTERM");
    await page.waitForFunction(() => window.alloVisor.state().phase !== "connected");
    const again = await startPlaceProcess(place.port);
    await page.waitForFunction(() => window.alloVisor.state().phase === "connected", null, { timeout: 20_000 });
    expect(await page.evaluate(() => window.alloVisor.state().avatarId)).not.toBe(visorAvatar);
    const eye2 = await observer(again.url);
    observers.push(eye2);
    const back = await waitForText(eye2, /Poked 1 times/, 10_000);
    expect(back.id).not.toBe(label.id);
    await waitForEntity(page, back.id);
    expect(await page.evaluate((id) => window.alloVisor.entityIds().includes(id), label.id)).toBe(false);
    await pokeButton(eye2, /Poked 1 times/);
    await waitForText(eye2, /Poked 2 times/);
    expect(app.running).toBe(true);
    // While the place is away the visor cannot fetch a font it asks for, and troika-three-text then throws on the
    // missing glyph geometry (a visor issue of its own, reported with this branch): nothing else may go wrong.
    const whileAway =
      /^Failure loading font http:\/\/127\.0\.0\.1:\d+\/static\/|^Cannot read properties of null \(reading 'count'\)$/;
    expect(errors.filter((e) => !whileAway.test(e))).toEqual([]);
  }, 60_000);
});
