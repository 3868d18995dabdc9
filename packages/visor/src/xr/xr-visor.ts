// Immersive VR (and AR passthrough) through three.js's WebXR support: Enter VR / Enter AR buttons where navigator.xr
// offers the modes, a `local-floor` session whose origin is the avatar (the rig follows the avatar's world matrix,
// smoothed between state frames), the head and hands sent as intent poses (docs/protocol.md §6.1) at the place's tick
// rate, controllers and tracked hands (hand-input.ts), thumbstick locomotion, and the in-world menu and keyboard.
import * as THREE from "three";
import type { EntityId, Intent, Pose } from "@allo/protocol";
import { RESTING_HANDS } from "../avatar.ts";
import type { KeyboardFocus } from "../input/keyboard.ts";
import type { EntityScene } from "../scene/entities.ts";
import type { Stage } from "../scene/stage.ts";
import { HandInput, type HandFrame, type HandLink, type Handedness } from "./hand-input.ts";
import { HandJoints, INDEX_TIP, JOINT_COUNT } from "./hand-joints.ts";
import { Locomotion, type Comfort } from "./locomotion.ts";
import { AvatarSmoothing } from "./avatar-smoothing.ts";
import { SmoothedMatrix } from "./smoothing.ts";
import { WorldKeyboard } from "./world-keyboard.ts";
import { WorldMenu } from "./world-menu.ts";

export type XrMode = "immersive-vr" | "immersive-ar";

export interface XrParts {
  stage: Stage;
  scene: EntityScene;
  keyboard: KeyboardFocus;
  comfort: Comfort;
  /** The place's tick, in ms: poses are sent this often and state frames are smoothed over it. */
  tickMs: number;
  link: Omit<HandLink, "scene" | "keyboard" | "panels">;
  launch(url: string): Promise<string>;
  ownAvatar(): EntityId | undefined;
  /** The desktop heading when the session starts. */
  heading(): number;
  /** The visor's frame, run by the XR session's animation loop while presenting. */
  step(now: number): void;
  /** The session ended: the desktop loop takes over again. */
  ended(): void;
}

/** The intent fields XR decides (the rest are the visor's). */
export type XrIntent = Pick<Intent, "xmovement" | "zmovement" | "yaw" | "pitch" | "wants_stick_movement"> & {
  poses: Record<string, Pose>;
};

const HANDS: Handedness[] = ["left", "right"];
/** Where the rig stands before the avatar exists: where visors arrive (avatar.ts). */
const ARRIVAL = new THREE.Matrix4().makeTranslation(0, 0, 1.5);
const MENU_BUTTON = 5; // B on the right controller, Y on the left (the system menu button is not exposed to pages)

export class XrVisor {
  readonly rig = new THREE.Group();
  readonly hands: Record<Handedness, HandInput>;
  readonly joints: Record<Handedness, HandJoints>;
  readonly menu: WorldMenu;
  readonly keyboardPanel = new WorldKeyboard();
  readonly locomotion: Locomotion;
  mode: XrMode | undefined;
  /** XR frames run since the session began. */
  frames = 0;
  private session: XRSession | undefined;
  private xrFrame: XRFrame | undefined;
  private readonly rigMatrix: SmoothedMatrix;
  private readonly smoothing: AvatarSmoothing;
  private readonly events: { hand: Handedness; kind: "select" | "squeeze"; down: boolean }[] = [];
  private readonly menuHeld: Record<Handedness, boolean> = { left: false, right: false };
  private lastIntentAt = 0;
  private lastIntent = "";
  private lastFrameAt = 0;
  private readonly head = new THREE.Matrix4();
  private headTracked = false;
  private readonly jointPoses: Record<Handedness, Float32Array> = {
    left: new Float32Array(JOINT_COUNT * 16),
    right: new Float32Array(JOINT_COUNT * 16),
  };
  private readonly jointRadii: Record<Handedness, Float32Array> = {
    left: new Float32Array(JOINT_COUNT),
    right: new Float32Array(JOINT_COUNT),
  };

  constructor(private readonly parts: XrParts) {
    this.rig.name = "allo-xr-rig";
    this.rig.matrixAutoUpdate = false;
    this.rigMatrix = new SmoothedMatrix(parts.tickMs);
    this.smoothing = new AvatarSmoothing(parts.scene, parts.tickMs);
    this.locomotion = new Locomotion(parts.comfort);
    const link: HandLink = {
      ...parts.link,
      scene: parts.scene,
      keyboard: parts.keyboard,
      panels: () => [
        { panel: this.keyboardPanel.panel, press: (b) => this.keyboardPanel.press(b) },
        { panel: this.menu.panel, press: (b) => this.menu.press(b) },
      ],
    };
    this.hands = { left: new HandInput("left", link), right: new HandInput("right", link) };
    this.joints = { left: new HandJoints(0xc9d4e6), right: new HandJoints(0xc9d4e6) };
    this.menu = new WorldMenu(parts.comfort, this.keyboardPanel, {
      launch: parts.launch,
      leave: () => void this.leave(),
    });
    this.rig.add(
      this.hands.left.visual,
      this.hands.right.visual,
      this.joints.left.mesh,
      this.joints.right.mesh,
      this.menu.panel.mesh,
      this.keyboardPanel.panel.mesh,
    );
    this.rig.visible = false;
    parts.stage.scene.add(this.rig);
  }

  get presenting(): boolean {
    return this.session !== undefined;
  }

  /** The modes this browser offers (an empty list without WebXR, or on an insecure origin). */
  async supportedModes(): Promise<XrMode[]> {
    const xr = navigator.xr;
    if (!xr) return [];
    const modes: XrMode[] = [];
    for (const mode of ["immersive-vr", "immersive-ar"] as const)
      if (await xr.isSessionSupported(mode).catch(() => false)) modes.push(mode);
    return modes;
  }

  /** Adds an Enter VR / Enter AR button for each mode offered. */
  async offerButtons(container: HTMLElement): Promise<void> {
    const modes = await this.supportedModes();
    if (!modes.length) return;
    const bar = document.createElement("div");
    bar.className = "xr-buttons";
    for (const mode of modes) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.testid = mode === "immersive-vr" ? "enter-vr" : "enter-ar";
      button.textContent = mode === "immersive-vr" ? "Enter VR" : "Enter AR";
      button.addEventListener("click", () => {
        if (this.presenting) return void this.leave();
        this.enter(mode).catch((error: Error) =>
          this.parts.link.showProblem(`Could not enter ${mode === "immersive-vr" ? "VR" : "AR"}: ${error.message}`),
        );
      });
      bar.append(button);
    }
    container.append(bar);
  }

  async enter(mode: XrMode): Promise<void> {
    if (this.session || !navigator.xr) return;
    const session = await navigator.xr.requestSession(mode, {
      requiredFeatures: ["local-floor"],
      optionalFeatures: ["hand-tracking"],
    });
    const { renderer, camera } = this.parts.stage;
    renderer.xr.enabled = true;
    renderer.xr.setReferenceSpaceType("local-floor");
    await renderer.xr.setSession(session);
    this.session = session;
    this.mode = mode;
    this.frames = 0;
    this.locomotion.heading = this.parts.heading();
    this.rigMatrix.reset();
    this.smoothing.reset();
    this.rig.add(camera);
    this.rig.visible = true;
    if (mode === "immersive-ar") this.passthrough(true);
    const onInput = (kind: "select" | "squeeze", down: boolean) => (e: XRInputSourceEvent) => {
      const hand = e.inputSource.handedness;
      if (hand === "left" || hand === "right") this.events.push({ hand, kind, down });
    };
    session.addEventListener("selectstart", onInput("select", true));
    session.addEventListener("selectend", onInput("select", false));
    session.addEventListener("squeezestart", onInput("squeeze", true));
    session.addEventListener("squeezeend", onInput("squeeze", false));
    session.addEventListener("end", () => this.ended());
    renderer.setAnimationLoop((_time, frame) => {
      // three.js also runs this loop from the window's animation frames when set during a session: those carry no
      // XR frame, and the XR session's own loop is the one that draws to the headset.
      if (!frame) return;
      this.xrFrame = frame;
      this.parts.step(performance.now());
    });
  }

  async leave(): Promise<void> {
    await this.session?.end();
  }

  /** An entity changed in the mirror (moving avatars are smoothed while presenting). */
  entityChanged(id: EntityId): void {
    this.smoothing.changed(id, this.parts.ownAvatar());
  }

  /** Keyboard focus moved: a focused text field opens the in-world keyboard. */
  focusChanged(id: EntityId | undefined): void {
    if (!this.presenting) return;
    const kb = this.parts.keyboard;
    if (!id) {
      if (this.keyboardPanel.targetTitle?.startsWith("Text field")) this.keyboardPanel.hide();
      return;
    }
    this.keyboardPanel.show({
      title: `Text field ${id}`,
      type: (text) => kb.typeText(text),
      key: (name) => kb.pressKey(name),
      done: () => kb.defocus(),
    });
    this.placeInFront(this.keyboardPanel.panel.mesh, 0.6, -0.3, -0.5);
  }

  /**
   * Once per XR frame, before the scene is updated: the rig follows the avatar, the hands and UI, smoothing of other
   * avatars. Returns the intent to send, or undefined when it is not yet time (the place's tick rate).
   */
  frame(now: number, avatarWorld: THREE.Matrix4 | undefined): XrIntent | undefined {
    const frame = this.xrFrame;
    const refSpace = this.parts.stage.renderer.xr.getReferenceSpace();
    const dt = this.lastFrameAt ? Math.min(0.1, (now - this.lastFrameAt) / 1000) : 0;
    this.lastFrameAt = now;
    this.frames++;
    this.rigMatrix.target(avatarWorld ?? ARRIVAL, now);
    this.rigMatrix.step(now);
    this.rig.matrix.copy(this.rigMatrix.current);
    this.rig.updateMatrixWorld(true);
    const rigWorld = this.rig.matrixWorld;

    const inputs: Partial<Record<Handedness, HandFrame>> = {};
    if (frame && refSpace) {
      const viewer = frame.getViewerPose(refSpace);
      this.headTracked = !!viewer && !viewer.emulatedPosition;
      if (viewer) this.head.fromArray(viewer.transform.matrix);
      for (const source of frame.session.inputSources) {
        const hand = source.handedness;
        if (hand !== "left" && hand !== "right") continue;
        inputs[hand] = this.readInput(frame, refSpace, source, hand);
      }
    }
    for (const hand of HANDS) {
      const input = inputs[hand];
      this.hands[hand].frame(now, input, rigWorld);
      this.joints[hand].update(input?.indexTip ? this.jointPoses[hand] : undefined, this.jointRadii[hand]);
      this.menuButton(hand, input?.gamepad);
    }
    for (const e of this.events.splice(0)) {
      if (e.kind === "select") this.hands[e.hand].select(e.down);
      else this.hands[e.hand].squeeze(e.down, avatarWorld);
    }
    for (const hand of HANDS) this.hands[hand].holdSqueeze(avatarWorld);
    const move = inputs.left?.gamepad?.axes;
    const turn = inputs.right?.gamepad?.axes;
    this.locomotion.update(
      move && move.length >= 4 ? { x: move[2], y: move[3] } : undefined,
      turn && turn.length >= 4 ? turn[2] : 0,
      dt,
    );
    this.menu.panel.paint();
    this.keyboardPanel.panel.paint();
    this.rig.updateMatrixWorld(true); // the rays, cursors, hands and panels just moved: draw them where they are now
    this.smoothing.frame(now);
    return this.intent(now);
  }

  private readInput(frame: XRFrame, refSpace: XRReferenceSpace, source: XRInputSource, hand: Handedness): HandFrame {
    const ray = frame.getPose(source.targetRaySpace, refSpace);
    const grip = source.gripSpace ? frame.getPose(source.gripSpace, refSpace) : undefined;
    const input: HandFrame = {
      ray: ray ? new THREE.Matrix4().fromArray(ray.transform.matrix) : undefined,
      grip: grip ? new THREE.Matrix4().fromArray(grip.transform.matrix) : undefined,
      gamepad: source.gamepad ?? undefined,
    };
    if (source.hand && frame.getJointPose && this.readJoints(frame, refSpace, source.hand, hand)) {
      const p = this.jointPoses[hand];
      input.indexTip = new THREE.Vector3(p[INDEX_TIP * 16 + 12], p[INDEX_TIP * 16 + 13], p[INDEX_TIP * 16 + 14]);
      input.grip ??= new THREE.Matrix4().fromArray(p, 0); // the wrist
    }
    return input;
  }

  /** A tracked hand's 25 joints into jointPoses/jointRadii; false when any is not tracked this frame. */
  private readJoints(frame: XRFrame, refSpace: XRReferenceSpace, xrHand: XRHand, hand: Handedness): boolean {
    let i = 0;
    for (const space of xrHand.values()) {
      if (i >= JOINT_COUNT) break;
      const pose = frame.getJointPose!(space, refSpace);
      if (!pose) return false;
      this.jointPoses[hand].set(pose.transform.matrix, i * 16);
      this.jointRadii[hand][i] = pose.radius ?? 0.008;
      i++;
    }
    return i === JOINT_COUNT;
  }

  private menuButton(hand: Handedness, gamepad: Gamepad | undefined): void {
    const held = !!gamepad?.buttons[MENU_BUTTON]?.pressed;
    if (held && !this.menuHeld[hand]) {
      this.menu.toggle();
      if (this.menu.open) this.placeInFront(this.menu.panel.mesh, 0.9, -0.1, 0);
    }
    this.menuHeld[hand] = held;
  }

  /** Put a panel in front of the head (rig frame), upright, facing it, `down` metres lower, tilted by `tilt`. */
  private placeInFront(mesh: THREE.Object3D, distance: number, down: number, tilt: number): void {
    const position = new THREE.Vector3().setFromMatrixPosition(this.head);
    const forward = new THREE.Vector3(0, 0, -1).transformDirection(this.head);
    forward.y = 0;
    if (forward.lengthSq() < 1e-6) forward.set(0, 0, -1);
    forward.normalize();
    mesh.position
      .copy(position)
      .addScaledVector(forward, distance)
      .add(new THREE.Vector3(0, down, 0));
    mesh.rotation.set(0, Math.atan2(-forward.x, -forward.z), 0, "YXZ");
    mesh.rotateX(tilt);
    mesh.updateMatrix();
  }

  private intent(now: number): XrIntent | undefined {
    if (now - this.lastIntentAt < this.parts.tickMs) return undefined;
    const pose = (hand: Handedness): Pose => this.hands[hand].pose() ?? { matrix: [...RESTING_HANDS[`hand/${hand}`]] };
    const intent: XrIntent = {
      xmovement: this.locomotion.xmovement,
      zmovement: this.locomotion.zmovement,
      yaw: -this.locomotion.heading,
      pitch: 0,
      wants_stick_movement: true,
      poses: {
        head: {
          matrix: this.headTracked ? this.head.toArray() : new THREE.Matrix4().makeTranslation(0, 1.6, 0).toArray(),
        },
        "hand/left": pose("left"),
        "hand/right": pose("right"),
      },
    };
    const key = JSON.stringify(intent);
    if (key === this.lastIntent) return undefined;
    this.lastIntent = key;
    this.lastIntentAt = now;
    return intent;
  }

  get passthroughOn(): boolean {
    return this.parts.stage.scene.background === null;
  }

  private passthrough(on: boolean): void {
    const { scene, renderer } = this.parts.stage;
    scene.background = on ? null : new THREE.Color(0x20242c);
    renderer.setClearAlpha(on ? 0 : 1);
    for (const name of ["floor", "grid"]) {
      const object = scene.getObjectByName(name);
      if (object) object.visible = !on;
    }
  }

  private ended(): void {
    const { renderer, camera } = this.parts.stage;
    renderer.setAnimationLoop(null);
    if (this.mode === "immersive-ar") this.passthrough(false);
    for (const hand of HANDS) this.hands[hand].end();
    this.menu.panel.mesh.visible = false;
    this.keyboardPanel.hide();
    this.rig.remove(camera);
    this.rig.visible = false;
    camera.matrixAutoUpdate = true;
    this.smoothing.release();
    this.session = undefined;
    this.xrFrame = undefined;
    this.mode = undefined;
    this.lastIntent = "";
    this.parts.ended();
  }
}
