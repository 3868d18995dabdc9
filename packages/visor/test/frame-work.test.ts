// A frame's work follows what changed, in real Chromium against a real place: a still world is not drawn again, a
// change is drawn at the next frame, text labels share one draw call, hover follows what moves under a still
// pointer, and the panel's tree changes row by row.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { connect, type AlloClient, type IncomingInteraction } from "@allo/client";
import { startPlace, type Place } from "@allo/place";
import { ensureVisorBuilt, visorHttpHandler } from "@allo/visor";
import {
  CHROMIUM,
  launchChromium,
  nextFrames,
  openVisor,
  screenPointOf,
  waitForEntity,
  type Browser,
  type VisorPage,
} from "../../../test/browser/harness.ts";

const T = (x: number, y: number, z: number) => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, y, z, 1];

describe.skipIf(!existsSync(CHROMIUM))("a frame's work follows what changed", { timeout: 60_000 }, () => {
  let place: Place;
  let browser: Browser;
  let app: AlloClient;
  let visor: VisorPage;
  const received: IncomingInteraction[] = [];

  beforeAll(async () => {
    await ensureVisorBuilt();
    place = await startPlace({
      port: 0,
      host: "127.0.0.1",
      name: "Frame work place",
      logLevel: "warn",
      httpHandler: visorHttpHandler(),
    });
    app = await connect(place.url, { identity: { display_name: "frame work app" } });
    app.interactions$.subscribe((i) => {
      received.push(i);
      if (i.type === "request") i.respond([i.name, "ok"]);
    });
    browser = await launchChromium();
    visor = await openVisor(browser, `http://127.0.0.1:${place.port}/`, "frame work visor", "adaptive=0");
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await place?.close();
  });

  it("draws nothing while nothing changes, and the next frame after a change", async () => {
    const { page } = visor;
    const { id, descendants } = await app.spawnEntity({
      transform: { matrix: T(0, 1.3, -1) },
      geometry: { type: "hardcoded-model", name: "cube" },
      material: { color: [0.3, 0.7, 0.3, 1] },
      children: [{ transform: { matrix: T(0, 0.7, 0) }, text: { string: "still", height: 0.1 } }],
    });
    await page.waitForFunction((label) => window.alloVisor.shownText(label) === "still", descendants[0]);
    await waitForQuiet(page);
    const before = await page.evaluate(() => window.alloVisor.state());
    await nextFrames(page, 20);
    const still = await page.evaluate(() => window.alloVisor.state());
    expect(still.frames - before.frames).toBeGreaterThan(10); // the loop runs…
    expect(still.draws).toBe(before.draws); // …and draws nothing

    const moved = page.evaluate(
      (entity) => window.alloVisor.whenDrawn(entity, (c) => c.transform?.matrix?.[12] === 0.3),
      id,
    );
    await app.changeComponents(id, { transform: { matrix: T(0.3, 1.3, -1) } });
    await moved;
    expect((await page.evaluate(() => window.alloVisor.state())).draws).toBeGreaterThan(still.draws);
    await app.removeEntity(id);
    await page.waitForFunction((label) => !window.alloVisor.entityIds().includes(label), descendants[0]);
    await waitForQuiet(page); // and with no text label left at all
  });

  it("draws every text label in one draw call", async () => {
    const { page } = visor;
    const first = await app.spawnEntity({
      transform: { matrix: T(-1, 1.6, -2) },
      text: { string: "label 0", height: 0.08 },
    });
    await page.waitForFunction((label) => window.alloVisor.shownText(label) === "label 0", first.id);
    await nudge(page, app, first.id);
    const calls = (await page.evaluate(() => window.alloVisor.renderStats())).drawCalls;
    const spawned = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        app.spawnEntity({
          transform: { matrix: T((i % 6) * 0.4 - 1, 1 + Math.floor(i / 6) * 0.15, -2) },
          text: { string: `label ${i + 1}`, height: 0.08 },
        }),
      ),
    );
    await page.waitForFunction(
      (labels) => labels.every(([id, text]) => window.alloVisor.shownText(id) === text),
      spawned.map((s, i) => [s.id, `label ${i + 1}`] as const),
      { timeout: 20_000 },
    );
    await nudge(page, app, first.id);
    expect((await page.evaluate(() => window.alloVisor.renderStats())).drawCalls).toBe(calls);
    for (const s of [first, ...spawned]) await app.removeEntity(s.id);
  });

  it("leaves with point-exit when the entity moves away from a still pointer", async () => {
    const { page } = visor;
    const { id } = await app.spawnEntity({
      transform: { matrix: T(0, 1.4, -1) },
      geometry: { type: "hardcoded-model", name: "cube" },
      material: { color: [0.8, 0.3, 0.3, 1] },
      collider: { type: "box", width: 1, height: 1, depth: 1 },
    });
    await waitForEntity(page, id);
    const at = await screenPointOf(page, id);
    const from = received.length;
    await page.mouse.move(at.x, at.y);
    await waitUntil(() => received.slice(from).some((i) => i.name === "point" && i.receiverEntityId === id));
    await app.changeComponents(id, { transform: { matrix: T(0, 1.4, -30) } }); // far behind, out of the pointer's way
    await waitUntil(() => received.slice(from).some((i) => i.name === "point-exit" && i.receiverEntityId === id));
    await page.mouse.move(5, 5);
    await app.removeEntity(id);
  });

  it("changes the entity tree row by row: added, moved to another parent, reparented on removal, removed", async () => {
    const { page } = visor;
    const a = await app.spawnEntity({
      transform: { matrix: T(-2, 1, -3) },
      geometry: { type: "hardcoded-model", name: "cube" },
    });
    const b = await app.spawnEntity({
      transform: { matrix: T(2, 1, -3) },
      geometry: { type: "hardcoded-model", name: "sphere" },
    });
    const c = await app.spawnEntity({
      transform: { matrix: T(0, 1, 0) },
      relationships: { parent: a.id },
      text: { string: "child", height: 0.1 },
    });
    const tree = "[data-testid=entity-tree]";
    const li = (id: string) => `li[data-entity-id="${id}"]`;
    const row = (id: string) => `${tree} ${li(id)}`;
    await page.waitForSelector(`${row(a.id)} ${li(c.id)}`);
    await page.waitForSelector(row(b.id));
    // rows stay the same DOM nodes through all this: the tree is not rebuilt
    await page.evaluate(
      (selector) => ((document.querySelector(selector) as HTMLElement).dataset.kept = "yes"),
      row(a.id),
    );

    await app.changeComponents(c.id, { relationships: { parent: b.id } });
    await page.waitForSelector(`${row(b.id)} ${li(c.id)}`);
    expect(await page.locator(`${row(a.id)} ${li(c.id)}`).count()).toBe(0);

    await app.removeEntity(b.id, "reparent"); // c goes to b's parent: none
    await page.waitForSelector(row(b.id), { state: "detached" });
    await page.waitForSelector(`${tree} > ${li(c.id)}`);

    await app.removeEntity(c.id);
    await page.waitForSelector(row(c.id), { state: "detached" });
    const d = await app.spawnEntity({
      transform: { matrix: T(0, 1, -3) },
      relationships: { parent: a.id },
      geometry: { type: "hardcoded-model", name: "cube" },
    });
    await page.waitForSelector(`${row(a.id)} ${li(d.id)}`);
    expect(
      await page.evaluate((selector) => (document.querySelector(selector) as HTMLElement).dataset.kept, row(a.id)),
    ).toBe("yes");
    await app.removeEntity(a.id);
  });
});

/** Waits until a few frames in a row drew nothing (label layouts and the first uploads are done). */
async function waitForQuiet(page: VisorPage["page"], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = await page.evaluate(() => window.alloVisor.state().draws);
    await nextFrames(page, 5);
    if ((await page.evaluate(() => window.alloVisor.state().draws)) === before) return;
    if (Date.now() > deadline) throw new Error("the visor kept drawing with nothing changing");
  }
}

/** Moves an entity a little and waits until that is drawn: renderStats() then describe a frame drawn after it. */
async function nudge(page: VisorPage["page"], app: AlloClient, id: string): Promise<void> {
  const x = -1 + Math.random() / 100;
  const drawn = page.evaluate(
    ([entity, value]) => window.alloVisor.whenDrawn(entity, (c) => c.transform?.matrix?.[12] === value),
    [id, x] as const,
  );
  await app.changeComponents(id, { transform: { matrix: T(x, 1.6, -2) } });
  await drawn;
}

async function waitUntil(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
