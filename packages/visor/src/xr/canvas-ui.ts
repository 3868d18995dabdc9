// A flat panel in the world drawn with a 2D canvas (the in-world menu and keyboard): a plane that rays can hit, with
// buttons laid out in canvas pixels. Repainted only when its buttons or hover changed.
import * as THREE from "three";

export interface CanvasButton {
  id: string;
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Drawn highlighted (a toggle that is on). */
  active?: boolean;
}

const PIXELS_PER_METRE = 1000;

export class CanvasPanel {
  readonly mesh: THREE.Mesh<THREE.PlaneGeometry, THREE.MeshBasicMaterial>;
  buttons: CanvasButton[] = [];
  /** Lines of text drawn above the buttons. */
  lines: string[] = [];
  private readonly canvas: HTMLCanvasElement;
  private readonly texture: THREE.CanvasTexture;
  private hovered: string | undefined;
  private dirty = true;

  constructor(
    readonly widthPx: number,
    readonly heightPx: number,
    name: string,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.width = widthPx;
    this.canvas.height = heightPx;
    this.texture = new THREE.CanvasTexture(this.canvas);
    this.texture.colorSpace = THREE.SRGBColorSpace;
    const material = new THREE.MeshBasicMaterial({
      map: this.texture,
      transparent: true,
      side: THREE.DoubleSide,
      depthTest: false,
    });
    this.mesh = new THREE.Mesh(
      new THREE.PlaneGeometry(widthPx / PIXELS_PER_METRE, heightPx / PIXELS_PER_METRE),
      material,
    );
    this.mesh.name = name;
    this.mesh.renderOrder = 10; // over the world: a menu must never hide behind what it is about
    this.mesh.visible = false;
  }

  get visible(): boolean {
    return this.mesh.visible;
  }

  /** The button a ray hits, if the panel is shown and the ray hits one. */
  hit(raycaster: THREE.Raycaster): { button?: CanvasButton; point: THREE.Vector3 } | undefined {
    if (!this.mesh.visible) return undefined;
    const [hit] = raycaster.intersectObject(this.mesh, false);
    if (!hit?.uv) return undefined;
    const x = hit.uv.x * this.widthPx;
    const y = (1 - hit.uv.y) * this.heightPx;
    const button = this.buttons.find((b) => x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h);
    return { button, point: hit.point };
  }

  /** Where a button's centre is in the world (tests aim at it). */
  buttonWorldPosition(id: string): THREE.Vector3 | undefined {
    const b = this.buttons.find((candidate) => candidate.id === id);
    if (!b) return undefined;
    const local = new THREE.Vector3(
      (b.x + b.w / 2 - this.widthPx / 2) / PIXELS_PER_METRE,
      (this.heightPx / 2 - (b.y + b.h / 2)) / PIXELS_PER_METRE,
      0,
    );
    this.mesh.updateWorldMatrix(true, false);
    return local.applyMatrix4(this.mesh.matrixWorld);
  }

  setHovered(id: string | undefined): void {
    if (id === this.hovered) return;
    this.hovered = id;
    this.dirty = true;
  }

  changed(): void {
    this.dirty = true;
  }

  /** Repaint if anything changed; returns whether it did. */
  paint(): boolean {
    if (!this.dirty || !this.mesh.visible) return false;
    this.dirty = false;
    const ctx = this.canvas.getContext("2d")!;
    ctx.clearRect(0, 0, this.widthPx, this.heightPx);
    ctx.fillStyle = "rgba(24, 28, 36, 0.92)";
    roundRect(ctx, 0, 0, this.widthPx, this.heightPx, 24);
    ctx.fill();
    ctx.textBaseline = "middle";
    ctx.font = "28px sans-serif";
    ctx.fillStyle = "#dfe6f2";
    this.lines.forEach((line, i) => ctx.fillText(line, 24, 36 + i * 38, this.widthPx - 48));
    for (const b of this.buttons) {
      ctx.fillStyle = b.id === this.hovered ? "#5b7fd6" : b.active ? "#3f5f9f" : "#363d4c";
      roundRect(ctx, b.x, b.y, b.w, b.h, 12);
      ctx.fill();
      ctx.fillStyle = "#ffffff";
      ctx.font = `${Math.min(34, Math.floor(b.h * 0.5))}px sans-serif`;
      ctx.textAlign = "center";
      ctx.fillText(b.label, b.x + b.w / 2, b.y + b.h / 2, b.w - 8);
      ctx.textAlign = "start";
    }
    this.texture.needsUpdate = true;
    return true;
  }

  dispose(): void {
    this.texture.dispose();
    this.mesh.geometry.dispose();
    this.mesh.material.dispose();
  }
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
}
