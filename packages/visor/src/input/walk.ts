// Walking and looking around: WASD/arrows (and a two-finger touch drag) become the intent's stick movement; dragging
// the background with the mouse or one finger turns the head. The place moves the avatar (docs/protocol.md §6.1:
// `yaw` is an absolute heading); the camera follows the avatar's position and uses our own heading at once.
import * as THREE from "three";
import type { Intent, Pose } from "@allo/protocol";
import { EYE_HEIGHT } from "../avatar.ts";

const LOOK_RADIANS_PER_PIXEL = 0.004;
const MAX_PITCH = 1.45;
const TOUCH_STICK_PIXELS = 80;
/** -Z is forward (alloverse coordinate system); the stick's z is applied in the avatar's frame. */
const FORWARD_Z = -1;

const KEYS: Record<string, [number, number]> = {
  KeyW: [0, 1],
  ArrowUp: [0, 1],
  KeyS: [0, -1],
  ArrowDown: [0, -1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};

export type WalkIntent = Pick<Intent, "xmovement" | "zmovement" | "yaw" | "pitch" | "wants_stick_movement"> & {
  headPose: Pose;
};

export class Walk {
  /** Heading about +Y in three.js terms (positive turns left). */
  heading = 0;
  pitch = -0.15;
  private readonly held = new Map<string, [number, number]>();
  private touchStick: [number, number] = [0, 0];

  isWalkKey(code: string): boolean {
    return code in KEYS;
  }

  keyDown(code: string): void {
    const dir = KEYS[code];
    if (dir) this.held.set(code, dir);
  }

  keyUp(code: string): void {
    this.held.delete(code);
  }

  /** Forget held keys (the window lost focus: we would never hear their keyup). */
  releaseAll(): void {
    this.held.clear();
    this.touchStick = [0, 0];
  }

  lookBy(dxPixels: number, dyPixels: number): void {
    this.heading -= dxPixels * LOOK_RADIANS_PER_PIXEL;
    this.pitch = Math.max(-MAX_PITCH, Math.min(MAX_PITCH, this.pitch - dyPixels * LOOK_RADIANS_PER_PIXEL));
  }

  /** A two-finger drag: its offset from where it started is a stick (up = forward). */
  setTouchStick(dxPixels: number, dyPixels: number): void {
    const clamp = (v: number) => Math.max(-1, Math.min(1, v / TOUCH_STICK_PIXELS));
    this.touchStick = [clamp(dxPixels), clamp(-dyPixels)];
  }

  intent(): WalkIntent {
    let x = this.touchStick[0];
    let forward = this.touchStick[1];
    for (const [dx, dz] of this.held.values()) {
      x += dx;
      forward += dz;
    }
    x = Math.max(-1, Math.min(1, x));
    forward = Math.max(-1, Math.min(1, forward));
    return {
      xmovement: x,
      zmovement: forward * FORWARD_Z,
      // docs/protocol.md §6.1: the place rotates the avatar by R(yaw about (0,−1,0)), i.e. −yaw about +Y.
      yaw: -this.heading,
      pitch: this.pitch,
      wants_stick_movement: true,
      headPose: { matrix: this.headLocal().toArray() },
    };
  }

  /** The head in the avatar's frame: eye height, pitched (the avatar itself carries the heading). */
  headLocal(): THREE.Matrix4 {
    return new THREE.Matrix4()
      .makeTranslation(0, EYE_HEIGHT, 0)
      .multiply(new THREE.Matrix4().makeRotationX(this.pitch));
  }

  /** Where the camera is: the avatar's position, our heading, eye height, our pitch. */
  cameraMatrix(avatarWorld: THREE.Matrix4 | undefined, out: THREE.Matrix4): THREE.Matrix4 {
    const position = new THREE.Vector3();
    if (avatarWorld) position.setFromMatrixPosition(avatarWorld);
    else position.set(0, 0, 1.5);
    return out
      .makeTranslation(position.x, position.y, position.z)
      .multiply(new THREE.Matrix4().makeRotationY(this.heading))
      .multiply(this.headLocal());
  }
}
