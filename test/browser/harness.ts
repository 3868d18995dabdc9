// Real Chromium (Debian's, driven by playwright-core) looking at a real place through the built visor.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts");

/** The flags this machine needs (closed network) plus software WebGL (SwiftShader through ANGLE). */
export const CHROMIUM_ARGS = [
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

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(
  viewport = { width: 1100, height: 700 },
  options: { hasTouch?: boolean } = {},
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "allo-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    hasTouch: options.hasTouch,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface VisorPage {
  page: Page;
  /** Everything the page logged as an error (uncaught exceptions, console.error). */
  errors: string[];
  /** console.warn lines (the visor reports bad entities and failed pokes there). */
  warnings: string[];
}

/** Opens the visor served by the place at `httpUrl` and waits until it is connected and has drawn a frame. */
export async function openVisor(
  browser: Browser,
  httpUrl: string,
  name = "test visor",
  query = "",
): Promise<VisorPage> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  const warnings: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    // Chromium itself logs each refused WebSocket while the visor retries (the reconnect test): not the visor's error.
    if (m.type() === "error" && !/^WebSocket connection to .* failed/.test(m.text())) errors.push(m.text());
    if (m.type() === "warning" && !m.text().includes("GL Driver Message")) warnings.push(m.text());
  });
  await page.goto(`${httpUrl}?name=${encodeURIComponent(name)}${query ? `&${query}` : ""}`);
  await page.waitForFunction(
    () => window.alloVisor?.state().phase === "connected" && window.alloVisor.state().frames > 2,
    null,
    { timeout: 20_000 },
  );
  return { page, errors, warnings };
}

/** Waits until the visor has drawn the entity in its latest state (the visor draws a frame only when something changed). */
export async function waitForEntity(page: Page, id: string, timeout = 15_000): Promise<void> {
  await page
    .waitForFunction((entityId) => window.alloVisor.isDrawn(entityId), id, { timeout })
    .catch((e: Error) => {
      throw new Error(`entity ${id} was not drawn within ${timeout} ms: ${e.message}`);
    });
}

/** Resolves once the frame loop has turned after this call: the canvas shows everything applied before it. */
export async function frameDone(page: Page): Promise<void> {
  await page.evaluate(() => window.alloVisor.afterNextFrame());
}

/** Where an entity is on the page, in CSS pixels, once drawn (after turning the camera to it if it is off screen). */
export async function screenPointOf(page: Page, id: string): Promise<{ x: number; y: number }> {
  await waitForEntity(page, id);
  let point = await page.evaluate((entityId) => window.alloVisor.screenPoint(entityId), id);
  if (!point) {
    await page.evaluate((entityId) => window.alloVisor.lookAt(entityId), id);
    await page
      .waitForFunction(
        (entityId) => window.alloVisor.isDrawn(entityId) && window.alloVisor.screenPoint(entityId) !== null,
        id,
        { timeout: 5_000 },
      )
      .catch(() => undefined);
    await frameDone(page); // the turned camera is drawn
    point = await page.evaluate((entityId) => window.alloVisor.screenPoint(entityId), id);
  }
  if (!point) {
    const where = await page.evaluate(
      (entityId) => ({ camera: window.alloVisor.cameraPosition(), entity: window.alloVisor.worldPosition(entityId) }),
      id,
    );
    throw new Error(
      `entity ${id} is not on screen (camera at ${JSON.stringify(where.camera)}, entity at ${JSON.stringify(where.entity)})`,
    );
  }
  return point;
}

/** Counts turns of the frame loop (only to check that the loop keeps turning; never to wait for a picture). */
export function nextFrames(page: Page, count: number): Promise<unknown> {
  return page.evaluate(
    (n) =>
      new Promise<void>((resolve) => {
        let left = n;
        const step = () => (--left <= 0 ? resolve() : requestAnimationFrame(step));
        requestAnimationFrame(step);
      }),
    count,
  );
}

export interface PixelStats {
  width: number;
  height: number;
  /** Distinct colours (quantised to 4 bits a channel). */
  distinctColors: number;
  /** Mean absolute difference from `reference` (0–255), when one was given. */
  differenceFrom?: number;
}

/** Takes a screenshot of a region and measures it in the page itself (no image library needed). */
export async function pixelStats(
  page: Page,
  clip: { x: number; y: number; width: number; height: number },
  reference?: Buffer,
): Promise<PixelStats & { png: Buffer }> {
  const png = await page.screenshot({ clip });
  const stats = await page.evaluate(
    async ([shot, ref]) => {
      const load = async (b64: string) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = new OffscreenCanvas(img.width, img.height);
        const ctx = canvas.getContext("2d")!;
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, img.width, img.height);
      };
      const a = await load(shot);
      const colors = new Set<number>();
      for (let i = 0; i < a.data.length; i += 4)
        colors.add(((a.data[i] >> 4) << 8) | ((a.data[i + 1] >> 4) << 4) | (a.data[i + 2] >> 4));
      let differenceFrom: number | undefined;
      if (ref) {
        const b = await load(ref);
        let sum = 0;
        for (let i = 0; i < a.data.length; i++) if (i % 4 !== 3) sum += Math.abs(a.data[i] - b.data[i]);
        differenceFrom = sum / ((a.data.length / 4) * 3);
      }
      return { width: a.width, height: a.height, distinctColors: colors.size, differenceFrom };
    },
    [png.toString("base64"), reference?.toString("base64")] as const,
  );
  return { ...stats, png };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Waits until `selector` matches an element whose text contains `contains` (if given); returns its text. */
export async function textOf(page: Page, selector: string, contains?: string, timeout = 10_000): Promise<string> {
  try {
    await page.waitForFunction(
      ([sel, text]) => {
        const node = document.querySelector(sel);
        return !!node && (text === undefined || (node.textContent ?? "").includes(text));
      },
      [selector, contains] as const,
      { timeout },
    );
  } catch {
    const now = await page.evaluate((sel) => document.querySelector(sel)?.textContent ?? null, selector);
    throw new Error(
      `"${selector}" ${now === null ? "never appeared" : `never contained ${JSON.stringify(contains)}; it says ${JSON.stringify(now)}`}`,
    );
  }
  return page.evaluate((sel) => document.querySelector(sel)!.textContent ?? "", selector);
}

export function countOf(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => document.querySelectorAll(sel).length, selector);
}
