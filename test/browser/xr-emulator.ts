// Meta's Immersive Web Emulation Runtime (npm `iwer`) in the test page only: an emulated Quest 3 on navigator.xr,
// added by playwright before the visor's scripts run. The shipped visor never contains it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import type { Browser } from "./harness.ts";

const require = createRequire(import.meta.url);
const IWER_SOURCE = readFileSync(require.resolve("iwer/build/iwer.min.js"), "utf8");

/** Every page the browser opens from now on gets an emulated Quest 3 as `window.iwer` (IWER's XRDevice). */
export async function emulateQuest3(browser: Browser): Promise<void> {
  await browser.context.addInitScript({
    content: `${IWER_SOURCE}
;(() => {
  const device = new IWER.XRDevice(IWER.metaQuest3);
  device.installRuntime({ forceInstall: true });
  window.iwer = device;
})();`,
  });
}

type Vec3 = [number, number, number];

/** Enters VR through the visor's button and waits for the session's frames. */
export async function enterVr(page: Page): Promise<void> {
  await page.click("[data-testid=enter-vr]");
  await page.waitForFunction(() => window.alloVisorXR.presenting() && window.alloVisorXR.frames() > 2, null, {
    timeout: 20_000,
  });
}

/** Points a controller (or tracked hand) at a world position: the emulator turns it to face the target. */
export function aimAt(page: Page, hand: "left" | "right", world: Vec3): Promise<void> {
  return turnToward(page, hand, world);
}

/** Turns the emulated headset to look at a world position. */
export function lookAt(page: Page, world: Vec3): Promise<void> {
  return turnToward(page, "head", world);
}

async function turnToward(page: Page, what: "left" | "right" | "head", world: Vec3): Promise<void> {
  await page.evaluate(
    ([which, target]) => {
      const rig = window.alloVisorXR.rig();
      // world → the rig's (local-floor) frame: the inverse of a rigid transform
      const d = [target[0] - rig[12], target[1] - rig[13], target[2] - rig[14]];
      const local = [0, 1, 2].map((i) => rig[i * 4] * d[0] + rig[i * 4 + 1] * d[1] + rig[i * 4 + 2] * d[2]);
      const device = window.iwer;
      const input =
        which === "head"
          ? device
          : device.primaryInputMode === "hand"
            ? device.hands[which]
            : device.controllers[which];
      const p = input.position;
      const dir = [local[0] - p.x, local[1] - p.y, local[2] - p.z];
      const len = Math.hypot(dir[0], dir[1], dir[2]);
      const [x, y, z] = dir.map((v) => v / len);
      // the rotation that takes −Z to `dir`: yaw about Y, then pitch about X
      const yaw = Math.atan2(-x, -z);
      const pitch = Math.asin(y);
      const cy = Math.cos(yaw / 2),
        sy = Math.sin(yaw / 2),
        cp = Math.cos(pitch / 2),
        sp = Math.sin(pitch / 2);
      input.quaternion.set(sp * cy, sy * cp, -sy * sp, cy * cp);
    },
    [what, world] as const,
  );
}

/** A world position the visor reports for an entity (its collider's centre). */
export async function worldPositionOf(page: Page, id: string): Promise<Vec3> {
  const p = await page.evaluate((entityId) => window.alloVisorXR.worldPosition(entityId), id);
  if (!p) throw new Error(`entity ${id} is not in the visor's scene`);
  return p;
}

/** Waits until the hand's ray rests on `id` (hover is picked in the XR frame). */
export function waitForHover(page: Page, hand: "left" | "right", id: string): Promise<unknown> {
  return page.waitForFunction(([h, entityId]) => window.alloVisorXR.hand(h).hovered === entityId, [hand, id] as const, {
    timeout: 10_000,
  });
}

declare global {
  interface Window {
    // IWER's XRDevice, as much of it as the tests drive
    iwer: {
      primaryInputMode: "controller" | "hand";
      position: { x: number; y: number; z: number; set(x: number, y: number, z: number): void };
      quaternion: { set(x: number, y: number, z: number, w: number): void };
      controllers: Record<
        "left" | "right",
        EmulatedInput & {
          updateButtonValue(id: string, value: number): void;
          updateAxes(id: string, x: number, y: number): void;
        }
      >;
      hands: Record<"left" | "right", EmulatedInput & { poseId: string; updatePinchValue(value: number): void }>;
    };
  }
}

interface EmulatedInput {
  position: { x: number; y: number; z: number; set(x: number, y: number, z: number): void };
  quaternion: { set(x: number, y: number, z: number, w: number): void };
}
