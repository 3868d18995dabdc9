// The visor in an emulated headset: Meta's Immersive Web Emulation Runtime (iwer) plays a Quest 3 in Chromium, in the
// test page only. Enter VR; the right controller pokes the hello example's button (the label changes for a Node
// agent); squeezing grabs and the place moves what is held; the thumbstick walks; the avatar's head and hands follow
// the headset and controllers; a tracked hand's pinch pokes, and so does its fingertip; the in-world keyboard types
// into a TextField (@allo/ui); the menu leaves VR and the desktop visor carries on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type AlloClient, type IncomingInteraction } from "@allo/client";
import type { Entity } from "@allo/protocol";
import { Pose, TextField } from "@allo/ui";
import { mountForTest } from "@allo/testing";
import { start, type Started } from "../../packages/cli/src/commands/start.ts";
import {
  CHROMIUM,
  artifactPath,
  launchChromium,
  openVisor,
  pixelStats,
  type Browser,
  type VisorPage,
} from "./harness.ts";
import { aimAt, emulateQuest3, enterVr, lookAt, waitForHover, worldPositionOf } from "./xr-emulator.ts";

const T = (x: number, y: number, z: number) => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, y, z, 1];
const translationOf = (e: Entity | undefined) => e?.components.transform?.matrix.slice(12, 15) ?? [NaN, NaN, NaN];
const near = (a: number[], b: number[], tolerance: number) => a.every((v, i) => Math.abs(v - b[i]) <= tolerance);

describe.skipIf(!existsSync(CHROMIUM))("the visor in an emulated Quest 3 (WebXR)", { timeout: 90_000 }, () => {
  let started: Started;
  let browser: Browser;
  let visor: VisorPage;
  /** Another agent: what the place shows everyone else. */
  let observer: AlloClient;
  /** A test app owning a grabbable and a text field. */
  let app: AlloClient;
  const received: IncomingInteraction[] = [];
  /** Entities whose pokes the test app answers with failed. */
  const failing = new Set<string>();
  let avatarId: string;

  beforeAll(async () => {
    started = await start({ port: 0, gatewayPort: 0, appNames: ["hello"], logLevel: "warn", print: () => undefined });
    observer = await connect(started.place.url, { identity: { display_name: "observer" } });
    app = await connect(started.place.url, { identity: { display_name: "xr test app" } });
    app.interactions$.subscribe((i) => {
      received.push(i);
      if (i.type !== "request") return;
      if (i.name === "poke" && failing.has(i.receiverEntityId)) i.respond(["poke", "failed", "not today"]);
      else i.respond([i.name, "ok"] as never);
    });
    browser = await launchChromium({ width: 1000, height: 600 });
    await emulateQuest3(browser);
    visor = await openVisor(browser, started.visorUrl, "headset tester", "adaptive=0");
    avatarId = (await visor.page.evaluate(() => window.alloVisor.state().avatarId))!;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await observer?.close();
    await app?.close();
    await started?.close();
  });

  it("offers Enter VR and Enter AR, and enters an immersive-vr session on local-floor", async () => {
    const { page } = visor;
    expect(await page.textContent("[data-testid=enter-vr]")).toBe("Enter VR");
    expect(await page.textContent("[data-testid=enter-ar]")).toBe("Enter AR");
    await enterVr(page);
    expect(await page.evaluate(() => window.alloVisorXR.mode())).toBe("immersive-vr");
    // the rig stands where the avatar is: local-floor's origin is the avatar's
    const avatar = observer.world.get(avatarId)!;
    await page.waitForFunction(
      (m) => window.alloVisorXR.rig().every((v, i) => Math.abs(v - m[i]) < 1e-3),
      avatar.components.transform!.matrix,
    );
  });

  it("pokes the hello button with the right controller's trigger; a Node agent sees the label change", async () => {
    const { page } = visor;
    const label = await labelOf("Poke me!");
    const button = observer.world.get(label)!.components.relationships!.parent as string;
    await aimAt(page, "right", await worldPositionOf(page, button));
    await waitForHover(page, "right", button);
    await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("trigger", 1));
    await page.waitForFunction((id) => window.alloVisorXR.hand("right").pressing === id, button);
    await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("trigger", 0));
    await observer.waitForWorld((w) => w.get(label)?.components.text?.string === "Poked 1 time", { timeout: 15_000 });
  });

  it("shows a failed poke on the ray, in a message, and with a haptic pulse", async () => {
    const { page } = visor;
    const { id } = await app.spawnEntity({
      transform: { matrix: T(-0.5, 1.3, 0.4) },
      geometry: { type: "hardcoded-model", name: "cube" },
      material: { color: [0.8, 0.3, 0.3, 1] },
      collider: { type: "box", width: 0.25, height: 0.25, depth: 0.25 },
    });
    failing.add(id);
    await page.waitForFunction((e) => window.alloVisor.entityIds().includes(e), id);
    // the emulator's actuator, watched: what the visor asks the controller to do
    await page.evaluate(() => {
      const actuator = (window.iwer.controllers.right as unknown as { inputSource: XRInputSource }).inputSource.gamepad!
        .hapticActuators[0] as unknown as { pulse(v: number, d: number): Promise<boolean> };
      const pulse = actuator.pulse.bind(actuator);
      (window as unknown as { pulses: number[][] }).pulses = [];
      actuator.pulse = (v, d) => {
        (window as unknown as { pulses: number[][] }).pulses.push([v, d]);
        return pulse(v, d);
      };
    });
    await aimAt(page, "right", await worldPositionOf(page, id));
    await waitForHover(page, "right", id);
    await press(visor);
    await page.waitForFunction(() => window.alloVisorXR.hand("right").failures >= 1); // the press (and the release) failed
    await page.waitForFunction(() => (window as unknown as { pulses: number[][] }).pulses.length > 0);
    expect(await page.textContent("#toast")).toContain("not today");
    await app.removeEntity(id);
  });

  it("grabs a grabbable with the squeeze button; the place moves it with the controller (seen by another agent)", async () => {
    const { page } = visor;
    const { id } = await app.spawnEntity({
      transform: { matrix: T(0.6, 1.2, 0.6) },
      geometry: { type: "hardcoded-model", name: "cube" },
      material: { color: [0.3, 0.8, 0.4, 1] },
      collider: { type: "box", width: 0.3, height: 0.3, depth: 0.3 },
      grabbable: { grabbable: true },
    });
    await page.waitForFunction((e) => window.alloVisor.entityIds().includes(e), id);
    await aimAt(page, "right", await worldPositionOf(page, id));
    await waitForHover(page, "right", id);
    const from = received.length;
    await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("squeeze", 1));
    await page.waitForFunction((e) => window.alloVisorXR.hand("right").grabbing === e, id);
    await page.evaluate(() => {
      const p = window.iwer.controllers.right.position;
      p.set(p.x + 0.4, p.y + 0.2, p.z);
    });
    await observer.waitForWorld(
      (w) => {
        const [x, y] = translationOf(w.get(id));
        return x > 0.9 && y > 1.3; // carried 0.4 right and 0.2 up with the controller
      },
      { timeout: 15_000 },
    );
    await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("squeeze", 0));
    await page.waitForFunction(() => window.alloVisorXR.hand("right").grabbing === undefined);
    await waitUntil(() => received.slice(from).filter((i) => i.name === "grabbing").length === 2);
    expect(
      received
        .slice(from)
        .filter((i) => i.name === "grabbing")
        .map((i) => i.body[1]),
    ).toEqual([true, false]);
    await page.evaluate(() => window.iwer.controllers.right.position.set(0.25, 1.5, -0.4));
    await app.removeEntity(id);
  });

  it("moves the avatar's head and hands with the headset and controllers (seen by another agent)", async () => {
    const { page } = visor;
    const parts = [...observer.world.entities.values()].filter((e) => e.components.relationships?.parent === avatarId);
    const part = (pose: string) => parts.find((p) => p.components.intent?.actuate_pose === pose)!.id;
    await page.evaluate(() => {
      window.iwer.position.set(0.3, 1.45, -0.2);
      window.iwer.controllers.left.position.set(-0.35, 1.1, -0.5);
      window.iwer.controllers.right.position.set(0.4, 1.2, -0.45);
    });
    await observer.waitForWorld((w) => near(translationOf(w.get(part("head"))), [0.3, 1.45, -0.2], 0.005), {
      timeout: 15_000,
    });
    // the hands follow the grip poses: a few centimetres from the controllers' origins
    await observer.waitForWorld((w) => near(translationOf(w.get(part("hand/left"))), [-0.35, 1.1, -0.5], 0.08), {
      timeout: 15_000,
    });
    await observer.waitForWorld((w) => near(translationOf(w.get(part("hand/right"))), [0.4, 1.2, -0.45], 0.08), {
      timeout: 15_000,
    });
    await page.evaluate(() => {
      window.iwer.position.set(0, 1.6, 0);
      window.iwer.controllers.right.position.set(0.25, 1.5, -0.4);
    });
  });

  it("walks with the left thumbstick and snap-turns with the right (the place moves the avatar)", async () => {
    const { page } = visor;
    const before = translationOf(observer.world.get(avatarId));
    await page.evaluate(() => window.iwer.controllers.left.updateAxes("thumbstick", 0, -1)); // pushed forward
    await observer.waitForWorld((w) => translationOf(w.get(avatarId))[2] < before[2] - 0.5, { timeout: 15_000 });
    await page.evaluate(() => window.iwer.controllers.left.updateAxes("thumbstick", 0, 0));
    await page.evaluate(() => window.iwer.controllers.right.updateAxes("thumbstick", 1, 0));
    await page.waitForFunction(() => Math.abs(window.alloVisorXR.heading() + Math.PI / 6) < 1e-6); // one 30° step right
    await page.evaluate(() => window.iwer.controllers.right.updateAxes("thumbstick", 0, 0));
    // the avatar turned: its +X axis now points 30° to the right of where it did (rotation about −Y by the yaw)
    await observer.waitForWorld(
      (w) => Math.abs(w.get(avatarId)!.components.transform!.matrix[2] - Math.sin(Math.PI / 6)) < 0.01,
      { timeout: 15_000 },
    );
    // and the rig follows the avatar
    const avatar = observer.world.get(avatarId)!;
    await page.waitForFunction(
      (m) => window.alloVisorXR.rig().every((v, i) => Math.abs(v - m[i]) < 1e-3),
      avatar.components.transform!.matrix,
    );
  });

  it("pokes with a pinch of a tracked hand", async () => {
    const { page } = visor;
    await page.evaluate(() => (window.iwer.primaryInputMode = "hand"));
    const label = await labelOf("Poked 1 time");
    const button = observer.world.get(label)!.components.relationships!.parent as string;
    await page.waitForFunction(
      () => window.alloVisorXR.hand("right").tracked && window.alloVisorXR.hand("right").jointsDrawn,
    ); // drawn from its joints
    expect(await page.evaluate(() => window.alloVisorXR.hand("left").jointsDrawn)).toBe(true);
    await aimAt(page, "right", await worldPositionOf(page, button));
    await waitForHover(page, "right", button);
    await page.evaluate(() => window.iwer.hands.right.updatePinchValue(1));
    await page.waitForFunction((id) => window.alloVisorXR.hand("right").pressing === id, button);
    await page.evaluate(() => window.iwer.hands.right.updatePinchValue(0));
    await observer.waitForWorld((w) => w.get(label)?.components.text?.string === "Poked 2 times", { timeout: 15_000 });
  });

  it("pokes with a tracked index fingertip pushed into the button, released when it comes out", async () => {
    const { page } = visor;
    const label = await labelOf("Poked 2 times");
    const button = observer.world.get(label)!.components.relationships!.parent as string;
    const centre = await worldPositionOf(page, button);
    await page.waitForFunction(() => !!window.alloVisorXR.hand("right").indexTip);
    const moveHandBy = (offset: "into" | "back") =>
      page.evaluate(
        ([target, how]) => {
          const tip = window.alloVisorXR.hand("right").indexTip!;
          const rig = window.alloVisorXR.rig();
          const d = how === "into" ? [target[0] - tip[0], target[1] - tip[1], target[2] - tip[2]] : [0, 0, 0.3];
          // a world offset in the rig's (local-floor) frame: the rotation's transpose
          const local =
            how === "into"
              ? [0, 1, 2].map((i) => rig[i * 4] * d[0] + rig[i * 4 + 1] * d[1] + rig[i * 4 + 2] * d[2])
              : d;
          const p = window.iwer.hands.right.position;
          p.set(p.x + local[0], p.y + local[1], p.z + local[2]);
        },
        [centre, offset] as const,
      );
    await moveHandBy("into");
    await page.waitForFunction((id) => window.alloVisorXR.hand("right").touching === id, button);
    await moveHandBy("back");
    await page.waitForFunction(() => window.alloVisorXR.hand("right").touching === undefined);
    await observer.waitForWorld((w) => w.get(label)?.components.text?.string === "Poked 3 times", { timeout: 15_000 });
    await page.evaluate(() => (window.iwer.primaryInputMode = "controller"));
    await page.waitForFunction(
      () => window.alloVisorXR.hand("right").tracked && !window.alloVisorXR.hand("right").jointsDrawn,
    );
  });

  it("types into a TextField on the in-world keyboard (focus, textinput, keydown)", async () => {
    const { page } = visor;
    const rig = await page.evaluate(() => window.alloVisorXR.rig());
    // a text field in front of the viewer, wherever the walk took them, turned to face them
    const [x, z] = [rig[12] - rig[8] * 1.2, rig[14] - rig[10] * 1.2];
    const edits: string[] = [];
    const mount = await mountForTest(
      () => (
        <TextField
          pose={Pose.from([rig[0], 0, rig[2], 0, 0, 1, 0, 0, rig[8], 0, rig[10], 0, x, 1.4, z, 1])}
          size={[0.6, 0.15, 0.05]}
          placeholder="type here"
          onChange={(text) => void edits.push(text)}
        />
      ),
      { place: started.place, identity: { display_name: "text field app" } },
    );
    try {
      const field = mount.app.avatarId;
      await page.waitForFunction((e) => window.alloVisor.entityIds().includes(e), field);
      await aimAt(page, "right", await worldPositionOf(page, field));
      await waitForHover(page, "right", field);
      await press(visor);
      await page.waitForFunction(() => window.alloVisorXR.keyboard().open);
      for (const key of ["shift", "key:h", "key:i", "key:x", "backspace", "space", "key:a", "done"]) {
        const at = await page.evaluate((k) => window.alloVisorXR.buttonPosition("keyboard", k), key);
        await aimAt(page, "right", at!); // the next XR frame picks with the new aim before it hears the trigger
        await press(visor);
      }
      await mount.until(
        () => !!mount.find((e) => e.components.text?.string === "Hi a"),
        'the TextField showing "Hi a"',
      );
      expect(edits).toEqual(["H", "Hi", "Hix", "Hi", "Hi ", "Hi a"]);
      expect(await page.evaluate(() => window.alloVisorXR.keyboard().open)).toBe(false); // Done closed it
      writeFileSync(artifactPath("xr-keyboard.png"), await page.screenshot());
    } finally {
      await mount.close();
    }
  });

  it("draws another visitor's head where the place puts it, smoothed between state frames", async () => {
    const { page } = visor;
    const visitor = await connect(started.place.url, {
      identity: { display_name: "other visitor" },
      avatar: {
        transform: { matrix: T(0.8, 0, 0.5) },
        visor: { display_name: "other visitor" },
        children: [
          {
            intent: { actuate_pose: "head" },
            transform: { matrix: T(0, 1.6, 0) },
            geometry: { type: "hardcoded-model", name: "head" },
          },
        ],
      },
    });
    try {
      const head = [...visitor.world.entities.values()].find(
        (e) => e.components.relationships?.parent === visitor.avatarId,
      )!.id;
      await page.waitForFunction((id) => window.alloVisor.entityIds().includes(id), head);
      for (const x of [0.3, -0.3, 0.1]) {
        visitor.setIntent({ poses: { head: { matrix: T(x, 1.5, 0) } } });
        await page.waitForFunction(
          ([id, want]) => Math.abs((window.alloVisor.shownComponents(id)?.transform?.matrix[12] ?? NaN) - want) < 1e-9,
          [head, x] as const,
        );
      }
    } finally {
      await visitor.close();
    }
  });

  it("draws the XR view (screenshot in test/artifacts/xr-view.png) and logged no page errors", async () => {
    const { page } = visor;
    const label = await labelOf("Poked 3 times");
    const button = observer.world.get(label)!.components.relationships!.parent as string;
    await lookAt(page, await worldPositionOf(page, button));
    await aimAt(page, "right", await worldPositionOf(page, button));
    await waitForHover(page, "right", button);
    const shot = await pixelStats(page, { x: 0, y: 0, width: 1000, height: 600 });
    expect(shot.distinctColors).toBeGreaterThan(20);
    writeFileSync(artifactPath("xr-view.png"), shot.png);
    expect(visor.errors).toEqual([]);
    await page.evaluate(() => window.iwer.quaternion.set(0, 0, 0, 1));
  });

  it("opens the in-world menu with B and leaves VR from it; the desktop visor carries on", async () => {
    const { page } = visor;
    await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("b-button", 1));
    await page.waitForFunction(() => window.alloVisorXR.menu().open);
    await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("b-button", 0));
    await aimAt(page, "right", (await page.evaluate(() => window.alloVisorXR.buttonPosition("menu", "leave")))!);
    await page.waitForFunction(() => window.alloVisorXR.hand("right").hovered === undefined);
    await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("trigger", 1));
    await page.waitForFunction(() => !window.alloVisorXR.presenting());
    await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("trigger", 0));
    const frames = await page.evaluate(() => window.alloVisor.state().frames);
    await page.waitForFunction((n) => window.alloVisor.state().frames > n + 2, frames); // the window's loop again
    expect(visor.errors).toEqual([]);
  });

  it("enters AR with passthrough (no background, no floor) and leaves it", async () => {
    const { page } = visor;
    await page.click("[data-testid=enter-ar]");
    await page.waitForFunction(() => window.alloVisorXR.presenting() && window.alloVisorXR.frames() > 2);
    expect(await page.evaluate(() => [window.alloVisorXR.mode(), window.alloVisorXR.passthrough()])).toEqual([
      "immersive-ar",
      true,
    ]);
    await page.evaluate(() => window.alloVisorXR.leave());
    await page.waitForFunction(() => !window.alloVisorXR.presenting());
    expect(await page.evaluate(() => window.alloVisorXR.passthrough())).toBe(false);
    expect(visor.errors).toEqual([]);
  });

  it("ships no emulator: the built visor contains nothing of iwer", () => {
    const dist = join(import.meta.dirname, "../../packages/visor/dist");
    const files = readdirSync(dist, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(1);
    for (const file of files)
      expect(readFileSync(join(file.parentPath, file.name), "utf8").toLowerCase().includes("iwer"), file.name).toBe(
        false,
      );
  });

  async function labelOf(text: string): Promise<string> {
    await observer.waitForWorld((w) => [...w.entities.values()].some((e) => e.components.text?.string === text), {
      timeout: 30_000,
    });
    const found = [...observer.world.entities.values()].find((e) => e.components.text?.string === text)!.id;
    await visor.page.waitForFunction((id) => window.alloVisor.entityIds().includes(id), found);
    return found;
  }
});

/** Trigger down until the visor saw it, then up. */
async function press(visor: VisorPage): Promise<void> {
  const { page } = visor;
  const before = await page.evaluate(() => window.alloVisorXR.selects("right"));
  await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("trigger", 1));
  await page.waitForFunction((n) => window.alloVisorXR.selects("right").down > n, before.down);
  await page.evaluate(() => window.iwer.controllers.right.updateButtonValue("trigger", 0));
  await page.waitForFunction((n) => window.alloVisorXR.selects("right").up > n, before.up);
}

async function waitUntil(test: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
