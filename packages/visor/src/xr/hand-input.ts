// One hand in VR — a controller or a tracked hand. Its aim ray is the pointing finger (docs/protocol.md §3): `point` with
// the hit while it rests on a collider, `point-exit` when it leaves; select (trigger, or a pinch) pokes, squeeze grabs
// a `grabbable` with the desktop's grab flow (the hand's pose carries `grab`, docs/protocol.md §6.1); a tracked index
// fingertip pushed into a collider pokes too. A failed poke turns the ray red and pulses the controller.
import * as THREE from "three";
import type { EntityId, InteractionBody, Pose } from "@allo/protocol";
import type { EntityScene } from "../scene/entities.ts";
import type { KeyboardFocus } from "../input/keyboard.ts";
import type { CanvasButton, CanvasPanel } from "./canvas-ui.ts";

export type Handedness = "left" | "right";

export interface HandLink {
  scene: EntityScene;
  keyboard: KeyboardFocus;
  send(receiver: EntityId, body: InteractionBody): void;
  request(receiver: EntityId, body: InteractionBody): Promise<InteractionBody>;
  showProblem(message: string): void;
  /** The in-world panels a ray can press, front first. */
  panels(): { panel: CanvasPanel; press(button: CanvasButton): void }[];
}

/** What the frame read from the XR device for this hand, in the rig's (= the avatar's) frame. */
export interface HandFrame {
  ray?: THREE.Matrix4;
  grip?: THREE.Matrix4;
  /** A tracked hand's index fingertip, rig frame. */
  indexTip?: THREE.Vector3;
  gamepad?: Gamepad;
}

const POINT_INTERVAL_MS = 50;
const RAY_LENGTH = 5;
const RAY_COLOR = 0x9fc2ff;
const FAILED_COLOR = 0xff4b4b;
const FAILED_SHOWN_MS = 600;

type Target =
  | { kind: "entity"; entityId: EntityId; point: THREE.Vector3 }
  | { kind: "panel"; panel: ReturnType<HandLink["panels"]>[number]; button?: CanvasButton; point: THREE.Vector3 };

interface HandGrab {
  entityId: EntityId;
  grabberFromEntity: THREE.Matrix4;
}

export class HandInput {
  readonly visual = new THREE.Group();
  hovered: EntityId | undefined;
  /** The latest ray in world space (for tests and the cursor). */
  readonly rayWorld = new THREE.Ray();
  tracked = false;
  /** A tracked hand's index fingertip, world space. */
  indexTipWorld: THREE.Vector3 | undefined;
  /** Select (trigger or pinch) presses and releases seen. */
  readonly selects = { down: 0, up: 0 };
  private readonly raycaster = new THREE.Raycaster();
  private readonly ray: THREE.Line<THREE.BufferGeometry, THREE.LineBasicMaterial>;
  private readonly cursor: THREE.Mesh<THREE.SphereGeometry, THREE.MeshBasicMaterial>;
  private readonly body: THREE.Mesh;
  private target: Target | undefined;
  private pressed: EntityId | undefined;
  private touching: EntityId | undefined;
  private grab: HandGrab | undefined;
  private lastPointAt = 0;
  private lastPointKey = "";
  private failedUntil = 0;
  private gamepad: Gamepad | undefined;
  private gripLocal: THREE.Matrix4 | undefined;

  constructor(
    readonly handedness: Handedness,
    private readonly link: HandLink,
  ) {
    this.visual.name = `allo-xr-${handedness}`;
    this.ray = new THREE.Line(
      new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(), new THREE.Vector3(0, 0, -1)]),
      new THREE.LineBasicMaterial({ color: RAY_COLOR }),
    );
    this.ray.scale.z = RAY_LENGTH;
    this.cursor = new THREE.Mesh(
      new THREE.SphereGeometry(0.012, 12, 8),
      new THREE.MeshBasicMaterial({ color: 0xffffff, depthTest: false }),
    );
    this.cursor.renderOrder = 11;
    this.body = new THREE.Mesh(
      new THREE.BoxGeometry(0.04, 0.03, 0.1),
      new THREE.MeshBasicMaterial({ color: 0x5a6272 }),
    );
    this.visual.add(this.ray, this.cursor, this.body);
    this.visual.visible = false;
  }

  /** The hand's pose for the intent, avatar frame (the rig's frame is the avatar's), or undefined when not tracked. */
  pose(): Pose | undefined {
    if (!this.gripLocal) return undefined;
    const matrix = this.gripLocal.toArray();
    if (!this.grab) return { matrix };
    return {
      matrix,
      grab: { entity: this.grab.entityId, grabber_from_entity_transform: this.grab.grabberFromEntity.toArray() },
    };
  }

  /** Once per XR frame: pose, hover, point stream, fingertip touch, visuals. */
  frame(now: number, input: HandFrame | undefined, rigWorld: THREE.Matrix4): void {
    this.tracked = !!input?.ray;
    this.gamepad = input?.gamepad;
    this.visual.visible = this.tracked;
    if (!input?.ray) {
      this.gripLocal = undefined;
      this.setTarget(undefined);
      this.untouch();
      return;
    }
    this.gripLocal = (input.grip ?? input.ray).clone();
    const rayWorldMatrix = new THREE.Matrix4().multiplyMatrices(rigWorld, input.ray);
    this.rayWorld.origin.setFromMatrixPosition(rayWorldMatrix);
    this.rayWorld.direction.set(0, 0, -1).transformDirection(rayWorldMatrix);
    this.raycaster.set(this.rayWorld.origin, this.rayWorld.direction);
    this.raycaster.far = 50;
    // while holding or touching, the ray keeps its target: a point-exit would cancel the press (a Button's rule)
    this.setTarget(this.grab || this.touching ? this.target : this.pick());
    this.streamPoint(now);
    this.indexTipWorld = input.indexTip?.clone().applyMatrix4(rigWorld);
    if (this.indexTipWorld) this.touch(this.indexTipWorld);
    else this.untouch();
    // visuals, in the rig's frame (the visual group lives in the rig)
    input.ray.decompose(this.ray.position, this.ray.quaternion, new THREE.Vector3());
    const distance = this.target ? this.target.point.distanceTo(this.rayWorld.origin) : RAY_LENGTH;
    this.ray.scale.set(1, 1, distance);
    this.ray.material.color.setHex(now < this.failedUntil ? FAILED_COLOR : RAY_COLOR);
    this.cursor.visible = !!this.target;
    if (this.target) this.cursor.position.copy(this.target.point).applyMatrix4(rigWorld.clone().invert());
    this.body.visible = !input.indexTip; // a tracked hand is drawn from its joints instead
    (input.grip ?? input.ray).decompose(this.body.position, this.body.quaternion, new THREE.Vector3());
    this.ray.updateMatrix();
    this.cursor.updateMatrix();
    this.body.updateMatrix();
  }

  /** Trigger or pinch. */
  select(down: boolean): void {
    this.selects[down ? "down" : "up"]++;
    if (down) {
      const target = this.target;
      if (target?.kind === "panel") {
        if (target.button) target.panel.press(target.button);
        return;
      }
      if (target?.kind !== "entity") {
        this.link.keyboard.defocus();
        return;
      }
      // as on the desktop: poking a text field focuses it, poking anything else leaves the focused one
      if (this.link.scene.views.get(target.entityId)?.components.focus) void this.link.keyboard.focus(target.entityId);
      else this.link.keyboard.defocus();
      this.pressed = target.entityId;
      this.poke(target.entityId, true);
    } else if (this.pressed) {
      const id = this.pressed;
      this.pressed = undefined;
      this.poke(id, false);
    }
  }

  /** The grip button. */
  squeeze(down: boolean, avatarWorld: THREE.Matrix4 | undefined): void {
    this.squeezeHeld = down;
    if (!down) return this.release();
    this.tryGrab(avatarWorld);
  }

  /**
   * Each frame while the grip is held and nothing is grabbed: grab what the ray rests on. A grip pressed in a frame
   * without a grip pose or a target (or squeezed just before reaching the object) grabs as soon as it can.
   */
  holdSqueeze(avatarWorld: THREE.Matrix4 | undefined): void {
    if (this.squeezeHeld && !this.grab) this.tryGrab(avatarWorld);
  }

  private squeezeHeld = false;

  private tryGrab(avatarWorld: THREE.Matrix4 | undefined): void {
    const target = this.target;
    if (target?.kind !== "entity" || !this.gripLocal || !avatarWorld) return;
    const grabbable = this.link.scene.findUp(target.entityId, (c) => c.grabbable !== undefined && c.grabbable !== null);
    const entityWorld = grabbable && this.link.scene.worldMatrixOf(grabbable.id);
    if (!grabbable || !entityWorld) return;
    // where the place puts the hand: the avatar's world times the pose we send
    const handWorld = new THREE.Matrix4().multiplyMatrices(avatarWorld, this.gripLocal);
    this.grab = { entityId: grabbable.id, grabberFromEntity: handWorld.invert().multiply(entityWorld) };
    this.link.send(grabbable.id, ["grabbing", true]);
  }

  release(): void {
    if (!this.grab) return;
    const { entityId } = this.grab;
    this.grab = undefined;
    this.link.send(entityId, ["grabbing", false]);
  }

  /** Failed pokes shown (the ray turned red, the controller pulsed). */
  failures = 0;

  /** The entity the tracked index fingertip is in. */
  get touched(): EntityId | undefined {
    return this.touching;
  }

  /** The entity a held trigger or pinch is poking. */
  get pressing(): EntityId | undefined {
    return this.pressed;
  }

  get grabbing(): EntityId | undefined {
    return this.grab?.entityId;
  }

  /** Let go of everything (the session ended). */
  end(): void {
    this.select(false);
    this.squeezeHeld = false;
    this.release();
    this.untouch();
    this.setTarget(undefined);
    this.visual.visible = false;
  }

  private pick(): Target | undefined {
    for (const p of this.link.panels()) {
      const hit = p.panel.hit(this.raycaster);
      if (hit) return { kind: "panel", panel: p, button: hit.button, point: hit.point };
    }
    const hits = this.raycaster.intersectObjects(this.link.scene.colliderList(), false);
    for (const hit of hits) {
      const id = hit.object.userData.entityId as EntityId | undefined;
      if (id && isShown(hit.object)) return { kind: "entity", entityId: id, point: hit.point.clone() };
    }
    return undefined;
  }

  private setTarget(target: Target | undefined): void {
    const previous = this.target;
    this.target = target;
    if (previous?.kind === "panel" && (target?.kind !== "panel" || target.panel !== previous.panel))
      previous.panel.panel.setHovered(undefined);
    if (target?.kind === "panel") target.panel.panel.setHovered(target.button?.id);
    const id = target?.kind === "entity" ? target.entityId : undefined;
    if (id === this.hovered) return;
    if (this.hovered && this.link.scene.views.has(this.hovered)) this.link.send(this.hovered, ["point-exit"]);
    this.hovered = id;
    this.lastPointKey = "";
  }

  private streamPoint(now: number): void {
    const target = this.target;
    if (target?.kind !== "entity" || now - this.lastPointAt < POINT_INTERVAL_MS) return;
    const body: InteractionBody = ["point", round3(this.rayWorld.origin), round3(target.point)];
    const key = JSON.stringify(body);
    if (key === this.lastPointKey) return;
    this.link.send(target.entityId, body);
    this.lastPointKey = key;
    this.lastPointAt = now;
  }

  /** A tracked fingertip inside a collider pokes it; leaving it releases. */
  private touch(tip: THREE.Vector3): void {
    const inside = colliderContaining(this.link.scene.colliderList(), tip);
    if (inside === this.touching) return;
    this.untouch();
    if (!inside) return;
    this.touching = inside;
    this.poke(inside, true);
  }

  private untouch(): void {
    if (!this.touching) return;
    const id = this.touching;
    this.touching = undefined;
    this.poke(id, false);
  }

  private poke(entityId: EntityId, pressed: boolean): void {
    if (!this.link.scene.views.has(entityId)) return;
    this.link.request(entityId, ["poke", pressed]).then(
      (answer) => {
        if (answer[1] === "failed") this.failed(`Poke failed: ${String(answer[2] ?? "no reason given")}`);
      },
      (error: Error) => this.failed(`Poke failed: ${error.message}`),
    );
  }

  private failed(message: string): void {
    this.failures++;
    this.failedUntil = performance.now() + FAILED_SHOWN_MS;
    this.link.showProblem(message);
    void this.gamepad?.hapticActuators?.[0]?.pulse?.(0.8, 120).catch(() => undefined);
  }
}

const inverse = new THREE.Matrix4();
const local = new THREE.Vector3();

function colliderContaining(colliders: THREE.Mesh[], point: THREE.Vector3): EntityId | undefined {
  for (const collider of colliders) {
    const params = (collider.geometry as THREE.BoxGeometry).parameters;
    if (!params || !isShown(collider)) continue;
    local.copy(point).applyMatrix4(inverse.copy(collider.matrixWorld).invert());
    if (
      Math.abs(local.x) <= params.width / 2 &&
      Math.abs(local.y) <= params.height / 2 &&
      Math.abs(local.z) <= params.depth / 2
    )
      return collider.userData.entityId as EntityId;
  }
  return undefined;
}

function isShown(object: THREE.Object3D): boolean {
  for (let o: THREE.Object3D | null = object.parent; o; o = o.parent) if (!o.visible) return false;
  return true;
}

function round3(v: THREE.Vector3): number[] {
  return [v.x, v.y, v.z].map((n) => Math.round(n * 1000) / 1000);
}
