// The web visor in headless Chromium (SwiftShader WebGL: software rendering, so absolute fps are a floor):
// frames drawn per second while one small cube moves (a property animation, so every frame must be drawn), with an
// empty place and with 1,000 entities (the empty place is the same-run baseline); what a still world costs (frames
// drawn, main-thread time a frame); and the time from a component change in the place to the frame that draws it,
// against the time the same change takes to reach a Node agent's mirror (the baseline: everything but the browser);
// and the XR frame: a second visor in an emulated Quest 3 (iwer, injected into the bench page only) in immersive VR
// with the same 1,000 entities — main-thread time per XR frame (every one is drawn: the head moves), against the
// desktop visor's drawn frame measured above.
// `npx tsx bench/visor.ts [--full]` or `npm run bench -- visor`. VISOR_BENCH_TEXT=0 leaves out the text labels,
// VISOR_BENCH_PANEL=0 closes the panel, to split the cost; VISOR_BENCH_ADAPTIVE=0 keeps the resolution fixed (to
// compare two visors at the same pixel count).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { connect, type AlloClient } from "@allo/client";
import { startPlace } from "@allo/place";
import type { EntitySpec, Mat4 } from "@allo/protocol";
import { ensureVisorBuilt, visorHttpHandler } from "@allo/visor";
import { figure, printReport, sleep, type BenchReport, type Figure, type Profile } from "./lib/report.ts";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
];
const ENTITIES = 1000;
const GROUP = 100;

const at = (x: number, y: number, z: number): Mat4 => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, y, z, 1];

/** 1,000 entities in 10 groups: cubes with material and collider, every tenth with a text label. */
function groupSpec(g: number): EntitySpec {
  const children: EntitySpec[] = [];
  for (let i = 1; i < GROUP; i++) {
    const n = g * GROUP + i;
    const spec: EntitySpec = {
      transform: { matrix: at((i % 10) * 0.5 - 2.25, Math.floor(i / 10) * 0.4, 0) },
      geometry: { type: "hardcoded-model", name: "cube" },
      material: { color: [((n * 37) % 100) / 100, ((n * 61) % 100) / 100, 0.6, 1] },
      collider: { type: "box", width: 0.3, height: 0.3, depth: 0.3 },
    };
    if (i % 10 === 5 && process.env.VISOR_BENCH_TEXT !== "0") spec.text = { string: `entity ${n}`, height: 0.08 };
    children.push(spec);
  }
  return {
    transform: { matrix: at(0, 0.2, -2 - g * 1.2) },
    geometry: { type: "hardcoded-model", name: "plane" },
    children,
  };
}

async function measureFps(page: Page, seconds: number): Promise<number[]> {
  // one sample per second: frames drawn in that second (a visor without `draws` drew every frame)
  return page.evaluate(async (s) => {
    const samples: number[] = [];
    for (let i = 0; i < s; i++) {
      const before = window.alloVisor.state();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 1000));
      const after = window.alloVisor.state();
      samples.push(
        (((after.draws ?? after.frames) - (before.draws ?? before.frames)) * 1000) / (performance.now() - t0),
      );
    }
    return samples;
  }, seconds);
}

/** A small cube sliding to and fro for ever: every frame has something new to draw. */
async function spawnMover(app: AlloClient, page: Page): Promise<string> {
  const { id } = await app.spawnEntity({
    transform: { matrix: [0.2, 0, 0, 0, 0, 0.2, 0, 0, 0, 0, 0.2, 0, 0, 1.2, -1.2, 1] },
    geometry: { type: "hardcoded-model", name: "cube" },
    material: { color: [1, 0.8, 0.1, 1] },
  });
  await app.request(app.avatarId, id, [
    "add_property_animation",
    { path: "transform.matrix.translation.x", from: -0.6, to: 0.6, duration: 2, repeats: true, autoreverses: true },
  ]);
  await page.waitForFunction((entity) => !!window.alloVisor.components(entity)?.property_animations, id, {
    timeout: 10_000,
  });
  return id;
}

/** A visor in an emulated Quest 3, in VR: its per-frame stats once the world is all there and a few seconds passed. */
async function measureXrFrame(browser: BrowserContext, port: number, entities: number, seconds: number) {
  const iwer = readFileSync(createRequire(import.meta.url).resolve("iwer/build/iwer.min.js"), "utf8");
  const page = await browser.newPage();
  try {
    await page.addInitScript({
      content: `${iwer}\n;(() => { const d = new IWER.XRDevice(IWER.metaQuest3); d.installRuntime({ forceInstall: true }); })();`,
    });
    await page.goto(`http://127.0.0.1:${port}/?name=xr-bench&adaptive=0`);
    await page.waitForFunction(
      (n) => window.alloVisor?.state().phase === "connected" && window.alloVisor.state().entities >= n,
      entities,
      { timeout: 60_000, polling: 100 },
    );
    await page.click("[data-testid=enter-vr]");
    await page.waitForFunction(() => window.alloVisorXR.presenting(), null, { timeout: 20_000 });
    await sleep(5000); // text layout and first uploads in the new page settle
    const fps = await measureFps(page, seconds);
    const stats = await page.evaluate(() => window.alloVisor.renderStats());
    // main-thread ms per XR frame, one sample a second (renderStats averages over the last second)
    const frameMs: number[] = [];
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      frameMs.push(await page.evaluate(() => window.alloVisor.renderStats().scriptMs));
    }
    return { fps, stats, frameMs };
  } finally {
    await page.close();
  }
}

async function changeToDrawn(
  page: Page,
  app: AlloClient,
  observer: AlloClient,
  id: string,
  samples: number,
): Promise<{ drawn: number[]; mirrored: number[] }> {
  const drawn: number[] = [];
  const mirrored: number[] = [];
  for (let i = 0; i < samples; i++) {
    const x = 1 + i / 1000;
    const waitDrawn = page.evaluate(
      ([entity, value]) => window.alloVisor.whenDrawn(entity, (c) => c.transform?.matrix?.[12] === value),
      [id, x] as const,
    );
    const waitMirrored = observer
      .waitForWorld((w) => w.get(id)?.components.transform?.matrix[12] === x, { timeout: 10_000 })
      .then(() => Date.now());
    await sleep(30); // let the page register its waiter
    const t0 = Date.now();
    await app.changeComponents(id, { transform: { matrix: at(x, 1.5, -1) } });
    const [drawnAt, mirroredAt] = await Promise.all([waitDrawn, waitMirrored]);
    drawn.push(drawnAt - t0);
    mirrored.push(mirroredAt - t0);
    await sleep(70);
  }
  return { drawn, mirrored };
}

export async function run(profile: Profile): Promise<BenchReport> {
  const full = profile === "full";
  const fpsSeconds = full ? 15 : 5;
  const latencySamples = full ? 100 : 30;
  await ensureVisorBuilt();
  const place = await startPlace({
    port: 0,
    host: "127.0.0.1",
    name: "Visor bench",
    logLevel: "warn",
    httpHandler: visorHttpHandler(),
  });
  const profileDir = mkdtempSync(join(tmpdir(), "allo-bench-chromium-"));
  const browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 720 },
  });
  const app = await connect(place.url, { identity: { display_name: "bench app" } });
  const observer = await connect(place.url, { identity: { display_name: "bench observer" } });
  try {
    const page = await browser.newPage();
    const adaptive = process.env.VISOR_BENCH_ADAPTIVE !== "0";
    await page.goto(`http://127.0.0.1:${place.port}/?name=bench${adaptive ? "" : "&adaptive=0"}`);
    await page.waitForFunction(() => window.alloVisor?.state().phase === "connected", null, { timeout: 30_000 });
    const panel = process.env.VISOR_BENCH_PANEL !== "0";
    if (!panel) await page.keyboard.press("Backquote");
    const mover = await spawnMover(app, page);
    await sleep(1000);
    const emptyFps = await measureFps(page, fpsSeconds);
    const emptyRender = await page.evaluate(() => window.alloVisor.renderStats());

    const spawnStarted = performance.now();
    const total = (await page.evaluate(() => window.alloVisor.state().entities)) + ENTITIES;
    for (let g = 0; g < ENTITIES / GROUP; g++) await app.spawnEntity(groupSpec(g));
    await page.waitForFunction((n) => window.alloVisor.state().entities >= n, total, { timeout: 60_000, polling: 100 });
    const spawnToShownMs = performance.now() - spawnStarted;
    await sleep(8000); // text layout, first uploads and the adaptive resolution settle
    const busyFps = await measureFps(page, fpsSeconds);
    const busyRender = await page.evaluate(() => window.alloVisor.renderStats());
    await app.removeEntity(mover);
    await sleep(1500);
    const stillFps = await measureFps(page, Math.min(fpsSeconds, 3));
    const stillRender = await page.evaluate(() => window.alloVisor.renderStats());
    // the main thread's time a frame in a still world: a visor that draws every frame has no idle frames
    const stillMs = stillRender.idleMs ?? stillRender.scriptMs;

    const { id: moving } = await app.spawnEntity({
      transform: { matrix: at(1, 1.5, -1) },
      geometry: { type: "hardcoded-model", name: "cube" },
      material: { color: [1, 0.3, 0.2, 1] },
    });
    await page.waitForFunction((id) => window.alloVisor.entityIds().includes(id), moving);
    const latency = await changeToDrawn(page, app, observer, moving, latencySamples);

    await page.close(); // one visor at a time on the CPU
    const xr = await measureXrFrame(browser, place.port, total, fpsSeconds);

    const emptyBaseline = { name: "fps, empty place", median: figure("", "", emptyFps).median };
    const mirrorBaseline = { name: "change → Node mirror", median: figure("", "", latency.mirrored).median };
    const labels = process.env.VISOR_BENCH_TEXT === "0" ? "no text labels" : `${ENTITIES / 10} of them text labels`;
    const figures: Figure[] = [
      figure("fps, empty place, a cube moving (SwiftShader)", "fps", emptyFps, {
        note: `panel ${panel ? "open" : "closed"}`,
      }),
      figure(`fps, ${ENTITIES.toLocaleString("en-US")} entities, a cube moving`, "fps", busyFps, {
        baseline: emptyBaseline,
        note:
          `${total} entities in the visor's scene, ${labels}; ${busyRender.drawCalls} draw calls; ` +
          `main thread ${busyRender.scriptMs.toFixed(1)} ms a frame (three.js render() ${busyRender.renderMs.toFixed(1)} ms), the rest is software rasterisation; ` +
          `pixel ratio ${busyRender.pixelRatio.toFixed(2)}${adaptive ? " (adaptive)" : " (fixed)"}`,
      }),
      figure(`frames drawn a second, ${ENTITIES.toLocaleString("en-US")} entities, nothing moving`, "fps", stillFps, {
        note: `main thread ${stillMs.toFixed(2)} ms a frame`,
      }),
      figure(`XR frame, ${ENTITIES.toLocaleString("en-US")} entities, emulated Quest 3 (iwer)`, "ms", xr.frameMs, {
        baseline: { name: "desktop drawn frame, same entities", median: busyRender.scriptMs },
        note:
          `main thread per XR frame (three.js render() ${xr.stats.renderMs.toFixed(1)} ms, ${xr.stats.drawCalls} draw calls), ` +
          `${figure("", "", xr.fps).median.toFixed(1)} XR frames a second on SwiftShader; desktop: ${busyRender.scriptMs.toFixed(1)} ms a drawn frame`,
      }),
      figure(`spawn ${ENTITIES} → all in the visor`, "ms", spawnToShownMs),
      figure("change → Node agent mirror", "ms", latency.mirrored),
      figure("change → drawn by the visor", "ms", latency.drawn, {
        baseline: mirrorBaseline,
        note: `with ${total} entities; includes waiting for the next frame`,
      }),
    ];
    const report: BenchReport = {
      bench: "visor",
      profile,
      figures,
      details: { entities: total, emptyFps, busyFps, stillFps, emptyRender, busyRender, stillRender, latency, xr },
    };
    console.log(
      `per frame: empty place ${JSON.stringify(emptyRender)}; ${total} entities ${JSON.stringify(busyRender)}; still ${JSON.stringify(stillRender)}`,
    );
    printReport(report);
    return report;
  } finally {
    await browser.close();
    await app.close();
    await observer.close();
    await place.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  run(process.argv.includes("--full") ? "full" : "quick").then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
