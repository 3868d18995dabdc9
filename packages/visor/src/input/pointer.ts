// The mouse (or a finger) is the pointing finger (docs/protocol.md §3): hovering an entity with a collider sends
// `point` with the fingertip and the hit in world space, leaving it sends `point-exit`; press/release send `poke
// true/false` (a failed poke is shown to the user); dragging a grabbable grabs it (grab.ts); dragging the background
// looks around.
import * as THREE from "three";
import type { EntityId, InteractionBody } from "@allo/protocol";
import type { EntityScene } from "../scene/entities.ts";
import type { Grab } from "./grab.ts";
import type { KeyboardFocus } from "./keyboard.ts";
import type { Walk } from "./walk.ts";

export interface PointerLink {
  send(receiver: EntityId, body: InteractionBody): void;
  request(receiver: EntityId, body: InteractionBody): Promise<InteractionBody>;
  showProblem(message: string): void;
  select(id: EntityId): void;
}

export interface Hit {
  entityId: EntityId;
  point: THREE.Vector3;
}

/** Pixels a press may move before it becomes a drag. */
const DRAG_THRESHOLD = 5;
/** point is a stream: at most this often while hovering still (the place ticks at 20 Hz). */
const POINT_INTERVAL_MS = 50;

type Press =
  | { kind: "poke"; entityId: EntityId }
  | { kind: "grabbable"; hit: Hit; grabId: EntityId; x: number; y: number }
  | { kind: "grab" }
  | { kind: "look"; x: number; y: number }
  | { kind: "touch-walk"; x: number; y: number };

export class Pointer {
  hovered: EntityId | undefined;
  private readonly ndc = new THREE.Vector2();
  private inside = false;
  /** The pointer moved since the last pick. */
  private movedSincePick = false;
  private press: Press | undefined;
  private readonly raycaster = new THREE.Raycaster();
  private readonly touches = new Map<number, { x: number; y: number }>();
  private lastPointAt = 0;
  private lastPointKey = "";
  private cursorName = "";
  private lastHit: Hit | undefined;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly camera: THREE.PerspectiveCamera,
    private readonly scene: EntityScene,
    private readonly walk: Walk,
    private readonly grab: Grab,
    private readonly keyboard: KeyboardFocus,
    private readonly link: PointerLink,
  ) {
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
    canvas.addEventListener("pointerleave", () => {
      this.inside = false;
      this.movedSincePick = true;
    });
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    canvas.addEventListener(
      "wheel",
      (e) => {
        if (this.grab.entityId) {
          e.preventDefault();
          this.grab.pushBy(-e.deltaY);
        }
      },
      { passive: false },
    );
  }

  /** The entity under a canvas position (CSS pixels), through colliders only. */
  pick(clientX: number, clientY: number): Hit | undefined {
    this.setNdc(clientX, clientY);
    return this.pickAtNdc();
  }

  /**
   * Once per frame, after the scene's matrices are current: hover and the point stream. What is under the pointer
   * changes only when the pointer, the camera or the scene moved (`viewChanged`), so only then is it picked again.
   */
  frame(now: number, viewChanged: boolean): void {
    if (this.press?.kind === "grab" || this.press?.kind === "look" || this.press?.kind === "touch-walk") return;
    if (!viewChanged && !this.movedSincePick && (!this.hovered || !this.lastHit)) return;
    const hit = !this.inside ? undefined : viewChanged || this.movedSincePick ? this.pickAtNdc() : this.lastHit;
    this.movedSincePick = false;
    this.lastHit = hit;
    const id = hit?.entityId;
    if (id !== this.hovered) {
      if (this.hovered && this.scene.views.has(this.hovered)) this.link.send(this.hovered, ["point-exit"]);
      this.hovered = id;
      this.lastPointKey = "";
      this.updateCursor();
    }
    if (hit && now - this.lastPointAt >= POINT_INTERVAL_MS) {
      const fingertip = this.raycaster.ray.origin;
      const body: InteractionBody = ["point", round3(fingertip), round3(hit.point)];
      const key = JSON.stringify(body);
      if (key !== this.lastPointKey) {
        this.link.send(hit.entityId, body);
        this.lastPointKey = key;
        this.lastPointAt = now;
      }
    }
  }

  private down(e: PointerEvent): void {
    this.canvas.focus();
    this.canvas.setPointerCapture(e.pointerId);
    this.inside = true;
    if (e.pointerType === "touch") {
      this.touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (this.touches.size === 2) {
        this.cancelPress();
        const mid = midpoint(this.touches);
        this.press = { kind: "touch-walk", x: mid.x, y: mid.y };
        return;
      }
      if (this.touches.size > 2) return;
    }
    if (this.press) return;
    const hit = e.button === 0 ? this.pick(e.clientX, e.clientY) : undefined;
    if (!hit) {
      this.keyboard.defocus();
      this.press = { kind: "look", x: e.clientX, y: e.clientY };
      return;
    }
    if (e.shiftKey) {
      this.link.select(hit.entityId);
      return;
    }
    const hitView = this.scene.views.get(hit.entityId);
    if (hitView?.components.focus) void this.keyboard.focus(hit.entityId);
    else this.keyboard.defocus();
    const grabbable = this.scene.findUp(hit.entityId, (c) => c.grabbable !== undefined && c.grabbable !== null);
    if (grabbable) {
      this.press = { kind: "grabbable", hit, grabId: grabbable.id, x: e.clientX, y: e.clientY };
      return;
    }
    this.press = { kind: "poke", entityId: hit.entityId };
    this.poke(hit.entityId, true);
  }

  private move(e: PointerEvent): void {
    this.inside = true;
    this.movedSincePick = true;
    this.setNdc(e.clientX, e.clientY);
    if (e.pointerType === "touch" && this.touches.has(e.pointerId))
      this.touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const press = this.press;
    if (!press) return;
    switch (press.kind) {
      case "look":
        this.walk.lookBy(e.clientX - press.x, e.clientY - press.y);
        press.x = e.clientX;
        press.y = e.clientY;
        break;
      case "touch-walk": {
        const mid = midpoint(this.touches);
        this.walk.setTouchStick(mid.x - press.x, mid.y - press.y);
        break;
      }
      case "grabbable":
        if (Math.hypot(e.clientX - press.x, e.clientY - press.y) > DRAG_THRESHOLD) this.beginGrab(press);
        break;
      case "grab":
        this.grab.move(this.rayThrough(e.clientX, e.clientY), this.camera.quaternion);
        break;
      case "poke":
        break;
    }
  }

  private up(e: PointerEvent): void {
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (e.pointerType === "touch") {
      this.touches.delete(e.pointerId);
      if (this.press?.kind === "touch-walk") {
        if (this.touches.size === 0) this.finishPress();
        return;
      }
      this.inside = false; // a lifted finger hovers nothing
    }
    this.finishPress();
  }

  private finishPress(): void {
    const press = this.press;
    this.press = undefined;
    if (!press) return;
    switch (press.kind) {
      case "poke":
        this.poke(press.entityId, false);
        break;
      case "grabbable": // pressed and released without dragging: a poke after all
        this.poke(press.hit.entityId, true);
        this.poke(press.hit.entityId, false);
        break;
      case "grab":
        this.grab.end();
        break;
      case "touch-walk":
        this.walk.setTouchStick(0, 0);
        break;
      case "look":
        break;
    }
  }

  private cancelPress(): void {
    if (this.press?.kind === "poke") this.poke(this.press.entityId, false);
    if (this.press?.kind === "grab") this.grab.end();
    this.press = undefined;
  }

  private beginGrab(press: Extract<Press, { kind: "grabbable" }>): void {
    const entityWorld = this.scene.worldMatrixOf(press.grabId);
    if (!entityWorld) return;
    this.grab.begin(
      { entityId: press.grabId, entityWorld: entityWorld.clone(), hitPoint: press.hit.point },
      this.rayThrough(press.x, press.y),
      this.camera.quaternion,
    );
    this.press = { kind: "grab" };
    this.canvas.style.cursor = "grabbing";
  }

  private poke(entityId: EntityId, pressed: boolean): void {
    if (!this.scene.views.has(entityId)) return;
    this.link.request(entityId, ["poke", pressed]).then(
      (answer) => {
        if (answer[1] === "failed") this.link.showProblem(`Poke failed: ${String(answer[2] ?? "no reason given")}`);
      },
      (error: Error) => this.link.showProblem(`Poke failed: ${error.message}`),
    );
  }

  private updateCursor(): void {
    const view = this.hovered ? this.scene.views.get(this.hovered) : undefined;
    let name = "";
    if (view) {
      const cursor = view.components.cursor?.name;
      if (cursor === "resizeCursor") name = "nwse-resize";
      else if (cursor === "brushCursor") name = "crosshair";
      else if (this.scene.findUp(view.id, (c) => c.grabbable !== undefined)) name = "grab";
      else name = "pointer";
    }
    if (name !== this.cursorName) {
      this.cursorName = name;
      this.canvas.style.cursor = name;
    }
  }

  private rayThrough(clientX: number, clientY: number): THREE.Ray {
    this.setNdc(clientX, clientY);
    this.raycaster.setFromCamera(this.ndc, this.camera);
    return this.raycaster.ray.clone();
  }

  private setNdc(clientX: number, clientY: number): void {
    const rect = this.canvas.getBoundingClientRect();
    this.ndc.set(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
  }

  private pickAtNdc(): Hit | undefined {
    this.scene.refreshMatrices();
    this.raycaster.setFromCamera(this.ndc, this.camera);
    const hits = this.raycaster.intersectObjects(this.scene.colliderList(), false);
    for (const hit of hits) {
      const id = hit.object.userData.entityId as EntityId | undefined;
      if (id && isShown(hit.object)) return { entityId: id, point: hit.point.clone() };
    }
    return undefined;
  }
}

function isShown(object: THREE.Object3D): boolean {
  for (let o: THREE.Object3D | null = object.parent; o; o = o.parent) if (!o.visible) return false;
  return true;
}

function midpoint(points: Map<number, { x: number; y: number }>): { x: number; y: number } {
  let x = 0;
  let y = 0;
  for (const p of points.values()) {
    x += p.x;
    y += p.y;
  }
  const n = Math.max(1, points.size);
  return { x: x / n, y: y / n };
}

function round3(v: THREE.Vector3): number[] {
  return [v.x, v.y, v.z].map((n) => Math.round(n * 1000) / 1000);
}
