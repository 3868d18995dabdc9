// window.alloVisor: what browser tests and the benchmark read and wait for. Never needed by a person.
import * as THREE from "three";
import type { Components, EntityId } from "@allo/protocol";
import type { EntityScene } from "./scene/entities.ts";
import type { ConnectionState, VisorClient } from "./connection.ts";

export interface VisorHookParts {
  scene: EntityScene;
  camera: THREE.PerspectiveCamera;
  canvas: HTMLCanvasElement;
  client: () => VisorClient | undefined;
  connection: () => ConnectionState;
  lookAt: (id: EntityId) => boolean;
  pixelRatio: () => number;
  /** Entities changed since the last frame was drawn (they show their new state after the next one). */
  changedSinceDraw: ReadonlySet<EntityId>;
}

/** window.alloVisor, as tests and benchmarks see it. */
export interface VisorPageApi {
  /**
   * `frames`: turns of the frame loop (one per animation frame, drawing or not); `draws`: frames that were drawn
   * (something visible changed); `fps`: frames a second, `drawsPerSecond`: drawn ones, over the last second.
   */
  state(): ConnectionState & {
    avatarId?: string;
    entities: number;
    frames: number;
    draws: number;
    fps: number;
    drawsPerSecond: number;
  };
  /**
   * Over the last second: the last drawn frame's draw calls, the mean milliseconds a drawn frame spent in three.js
   * render() and on the main thread in all (scriptMs), and the mean main-thread milliseconds of a frame that drew
   * nothing (idleMs).
   */
  renderStats(): {
    drawCalls: number;
    renderMs: number;
    scriptMs: number;
    idleMs: number;
    frameMs: number;
    pixelRatio: number;
  };
  entityIds(): EntityId[];
  /** The components as the place last sent them. */
  components(id: EntityId): Components | undefined;
  /** The components as drawn this frame (property animations applied). */
  shownComponents(id: EntityId): Components | undefined;
  /** The place's clock now, in seconds (docs/protocol.md §7), while connected. */
  serverTime(): number | undefined;
  /** The text on screen (after layout), or undefined. */
  shownText(id: EntityId): string | undefined;
  screenPoint(id: EntityId): { x: number; y: number } | null;
  lookAt(id: EntityId): boolean;
  whenDrawn(id: EntityId, test: (shown: Components, text: string | undefined) => boolean): Promise<number>;
  /** The entity is in the scene and the canvas shows its latest state (no change of it waits for a frame). */
  isDrawn(id: EntityId): boolean;
  /** Resolves at the end of the next turn of the frame loop: the canvas then shows everything applied before it. */
  afterNextFrame(): Promise<{ drawn: boolean }>;
  /** Diagnostics for a failed wait: where the camera and an entity are in the world. */
  cameraPosition(): number[];
  worldPosition(id: EntityId): number[] | undefined;
}

declare global {
  interface Window {
    alloVisor: VisorPageApi;
  }
}

interface Waiter {
  id: EntityId;
  test: (shown: Components, text: string | undefined) => boolean;
  resolve: (drawnAt: number) => void;
}

/** Sums over one second. */
class Second {
  frames = 0;
  draws = 0;
  renderMs = 0;
  drawnScriptMs = 0;
  idleScriptMs = 0;
}

export class VisorHook {
  frames = 0;
  draws = 0;
  fps = 0;
  drawsPerSecond = 0;
  drawCalls = 0;
  renderMs = 0;
  scriptMs = 0;
  idleMs = 0;
  private waiters: Waiter[] = [];
  private frameWaiters: ((result: { drawn: boolean }) => void)[] = [];
  private secondStartedAt = performance.now();
  private second = new Second();

  constructor(private readonly parts: VisorHookParts) {}

  install(): void {
    const p = this.parts;
    const api: VisorPageApi = {
      state: () => ({
        ...p.connection(),
        avatarId: p.client()?.avatarId,
        entities: p.scene.views.size,
        frames: this.frames,
        draws: this.draws,
        fps: this.fps,
        drawsPerSecond: this.drawsPerSecond,
      }),
      entityIds: () => [...p.scene.views.keys()],
      renderStats: () => ({
        drawCalls: this.drawCalls,
        renderMs: this.renderMs,
        scriptMs: this.scriptMs,
        idleMs: this.idleMs,
        frameMs: this.fps ? 1000 / this.fps : 0,
        pixelRatio: p.pixelRatio(),
      }),
      components: (id: EntityId) => p.scene.views.get(id)?.components,
      shownComponents: (id: EntityId) => p.scene.views.get(id)?.shown,
      serverTime: () => p.client()?.serverTime(),
      shownText: (id: EntityId) => p.scene.views.get(id)?.text?.shown,
      screenPoint: (id: EntityId) => this.screenPoint(id),
      lookAt: (id: EntityId) => p.lookAt(id),
      /** Resolves with Date.now() at the end of the first frame that shows the entity passing `test`. */
      whenDrawn: (id: EntityId, test: Waiter["test"]) =>
        new Promise<number>((resolve) => this.waiters.push({ id, test, resolve })),
      isDrawn: (id: EntityId) => p.scene.views.has(id) && !p.changedSinceDraw.has(id),
      cameraPosition: () => p.camera.position.toArray(),
      worldPosition: (id: EntityId) => {
        const view = p.scene.views.get(id);
        return view ? new THREE.Vector3().setFromMatrixPosition(view.object.matrixWorld).toArray() : undefined;
      },
      afterNextFrame: () => new Promise<{ drawn: boolean }>((resolve) => this.frameWaiters.push(resolve)),
    };
    window.alloVisor = api;
  }

  /** At the end of each turn of the frame loop; `drawn` when it rendered. */
  afterFrame(now: number, drawn: boolean, renderMs: number, drawCalls: number, scriptMs: number): void {
    const second = this.second;
    this.frames++;
    second.frames++;
    if (drawn) {
      this.draws++;
      second.draws++;
      second.renderMs += renderMs;
      second.drawnScriptMs += scriptMs;
      this.drawCalls = drawCalls;
    } else second.idleScriptMs += scriptMs;
    const elapsed = now - this.secondStartedAt;
    if (elapsed >= 1000) {
      this.fps = (second.frames * 1000) / elapsed;
      this.drawsPerSecond = (second.draws * 1000) / elapsed;
      this.renderMs = second.draws ? second.renderMs / second.draws : 0;
      this.scriptMs = second.draws ? second.drawnScriptMs / second.draws : 0;
      this.idleMs = second.frames > second.draws ? second.idleScriptMs / (second.frames - second.draws) : 0;
      this.second = new Second();
      this.secondStartedAt = now;
    }
    if (this.frameWaiters.length > 0) for (const resolve of this.frameWaiters.splice(0)) resolve({ drawn });
    if (this.waiters.length === 0) return;
    const drawnAt = Date.now();
    this.waiters = this.waiters.filter((w) => {
      const view = this.parts.scene.views.get(w.id);
      if (!view || !w.test(view.shown, view.text?.shown)) return true;
      w.resolve(drawnAt);
      return false;
    });
  }

  /** The centre of an entity's collider (or its origin) in CSS pixels of the page, or null when off screen. */
  private screenPoint(id: EntityId): { x: number; y: number } | null {
    const view = this.parts.scene.views.get(id);
    if (!view) return null;
    const target = view.collider ?? view.object;
    target.updateWorldMatrix(true, false);
    const point = new THREE.Vector3().setFromMatrixPosition(target.matrixWorld).project(this.parts.camera);
    if (point.z > 1 || Math.abs(point.x) > 1 || Math.abs(point.y) > 1) return null;
    const rect = this.parts.canvas.getBoundingClientRect();
    return { x: rect.left + ((point.x + 1) / 2) * rect.width, y: rect.top + ((1 - point.y) / 2) * rect.height };
  }
}
