// `allo start` as a newcomer sees it: a place serving the visor, the examples launched into it through the gateway,
// and the visor in Chromium showing them — the hello button poked by a click, the clock photographed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import { connect } from "@allo/client";
import { start, type Started } from "../../packages/cli/src/commands/start.ts";
import {
  CHROMIUM,
  artifactPath,
  frameDone,
  launchChromium,
  openVisor,
  pixelStats,
  screenPointOf,
  textOf,
  waitForEntity,
  type Browser,
  type VisorPage,
} from "./harness.ts";

describe.skipIf(!existsSync(CHROMIUM))("allo start, seen through the web visor", { timeout: 90_000 }, () => {
  let started: Started;
  let browser: Browser;
  let visor: VisorPage;
  const printed: string[] = [];

  beforeAll(async () => {
    started = await start({
      port: 0,
      gatewayPort: 0,
      appNames: ["hello", "clock"],
      logLevel: "warn",
      print: (line) => printed.push(line),
    });
    browser = await launchChromium({ width: 1200, height: 720 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await started?.close();
  });

  it("launches the examples through launch_app and prints the visor's URL", async () => {
    expect(started.launched["/hello"]?.error).toBeUndefined();
    expect(started.launched["/clock"]?.error).toBeUndefined();
    expect(started.launched["/hello"]?.avatarId).toBeTruthy();
    expect(printed.join("\n")).toContain(`Open the visor: ${started.visorUrl}`);
    const page = await fetch(started.visorUrl);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toContain('<canvas id="view"');
  });

  it("shows the hello button on the canvas and in the entity tree", async () => {
    visor = await openVisor(browser, started.visorUrl, "hello tester", "adaptive=0"); // screenshots at full resolution
    const { page } = visor;
    const label = await findText(visor, "Poke me!");
    const button = await page.evaluate(
      (id) => (window.alloVisor.components(id)?.relationships as { parent: string }).parent,
      label,
    );
    expect(await page.evaluate((id) => !!window.alloVisor.components(id)?.collider, button)).toBe(true);
    await page.evaluate((id) => window.alloVisor.lookAt(id), button);
    await waitForEntity(page, label);
    await frameDone(page); // the turned camera is drawn
    const whole = await pixelStats(page, { x: 0, y: 0, width: 860, height: 720 });
    expect(whole.distinctColors).toBeGreaterThan(20); // not a blank canvas
    await textOf(page, `[data-testid=entity-tree] li[data-entity-id="${button}"]`, 'text "Poke me!"');
    writeFileSync(artifactPath("visor-hello.png"), await page.screenshot());
  });

  it("pokes the hello button with a click, and the label's new text is drawn", async () => {
    const { page } = visor;
    const label = await findText(visor, "Poke me!");
    const button = await page.evaluate(
      (id) => (window.alloVisor.components(id)?.relationships as { parent: string }).parent,
      label,
    );
    const at = await screenPointOf(page, button);
    const region = { x: Math.max(0, at.x - 120), y: Math.max(0, at.y - 40), width: 240, height: 80 };
    const before = await pixelStats(page, region);
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForFunction((id) => window.alloVisor.shownText(id) === "Poked 1 time", label, { timeout: 15_000 });
    await page.mouse.move(5, 5); // leave the button, so only the text differs
    await page.evaluate((id) => window.alloVisor.whenDrawn(id, (_, text) => text === "Poked 1 time"), label);
    await waitForEntity(page, button); // the hover highlight, if any, is gone from the picture too
    const after = await pixelStats(page, region, before.png);
    expect(after.differenceFrom).toBeGreaterThan(1); // the label's pixels changed
    writeFileSync(artifactPath("visor-hello-poked.png"), await page.screenshot());
  });

  it("shows the clock example (screenshot in test/artifacts/visor-clock.png)", async () => {
    const { page } = visor;
    const clockAvatar = started.launched["/clock"]!.avatarId!;
    await page
      .waitForFunction(
        (root) => {
          const under = (id: string) => {
            let at: string | undefined = id;
            for (
              let depth = 0;
              at && depth < 64;
              depth++, at = (window.alloVisor.components(at)?.relationships as { parent?: string } | undefined)?.parent
            )
              if (at === root) return true;
            return false;
          };
          return window.alloVisor
            .entityIds()
            .some((id) => /^\d{1,2}:\d\d/.test(window.alloVisor.shownText(id) ?? "") && under(id));
        },
        clockAvatar,
        { timeout: 20_000 },
      )
      .catch(async (e) => {
        throw new Error(`no digital time under the clock's avatar: ${(e as Error).message}`);
      });
    await page.evaluate((id) => window.alloVisor.lookAt(id), clockAvatar);
    await frameDone(page); // the turned camera is drawn
    const shot = artifactPath("visor-clock.png");
    writeFileSync(shot, await page.screenshot());
    const stats = await pixelStats(page, { x: 0, y: 0, width: 860, height: 720 });
    expect(stats.distinctColors).toBeGreaterThan(20);
  });

  it("launches another app from the panel's alloapp: field", async () => {
    const { page } = visor;
    const before = (await page.evaluate(() => window.alloVisor.entityIds())).length;
    await page.fill("[data-testid=launch-url]", `alloapp:${started.gateway.url}/hello`);
    await page.click("form.launch button");
    const result = await textOf(page, "[data-testid=launch-result].ok", "launched", 45_000);
    const avatarId = /its avatar is (\S+)/.exec(result)![1];
    await page.waitForFunction((id) => window.alloVisor.entityIds().includes(id), avatarId, { timeout: 15_000 });
    expect((await page.evaluate(() => window.alloVisor.entityIds())).length).toBeGreaterThan(before);
    expect(started.gateway.instances("/hello")).toHaveLength(2);
  });

  it("lists the apps as agents in the panel", async () => {
    const { page } = visor;
    const observer = await connect(started.place.url, { identity: { display_name: "observer" } });
    try {
      const agents = await observer.request(observer.avatarId, "place", ["list_agents"]);
      const names = (agents[2] as { display_name: string }[]).map((a) => a.display_name);
      for (const name of names.filter((n) => n !== "observer")) await textOf(page, "[data-testid=agents]", name);
      // an app's root entity is labelled with its agent's name in the tree
      const clock = (agents[2] as { display_name: string; avatar_id: string }[]).find(
        (a) => a.avatar_id === started.launched["/clock"]!.avatarId,
      )!;
      await textOf(
        page,
        `[data-testid=entity-tree] li[data-entity-id="${clock.avatar_id}"] > .row`,
        `app "${clock.display_name}"`,
      );
    } finally {
      await observer.close();
    }
    expect(visor.errors).toEqual([]);
  });
});

async function findText(visor: VisorPage, text: string): Promise<string> {
  await visor.page.waitForFunction(
    (t) => window.alloVisor.entityIds().some((id) => window.alloVisor.shownText(id) === t),
    text,
    { timeout: 30_000 },
  );
  return visor.page.evaluate(
    (t) => window.alloVisor.entityIds().find((id) => window.alloVisor.shownText(id) === t)!,
    text,
  );
}
