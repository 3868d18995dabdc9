// text component → crisp SDF text (troika-three-text) of the given height, alignment and wrap
// (docs/protocol.md §3.1: string, height, wrap, width, halign, valign, fitToWidth, insertionMarker).
// A label is laid out on its own (in a worker, only when its text or layout changes) and drawn by the scene's one
// TextBatch (text-batch.ts), so a hundred labels are one draw call. The font ships with the visor (no network:
// troika would otherwise fetch one from a CDN).
import * as THREE from "three";
import { Text, configureTextBuilder } from "troika-three-text";
import type { TextComponent } from "@allo/protocol";
import fontUrl from "@fontsource/inter/files/inter-latin-400-normal.woff?url";

configureTextBuilder({ defaultFontURL: fontUrl, useWorker: true });

const DEFAULT_HEIGHT = 0.1;

export class SdfText {
  /** A member of the batch, never in the scene graph: its matrix is set by the batch from `owner`. */
  readonly mesh = new Text();
  /** The string now on screen (laid out and packed into the batch), or undefined before that. */
  shown: string | undefined;
  /** The string the last finished layout shows (the batch packs it, then sets `shown`). */
  laidOut: string | undefined;
  /** Whether the owner and all its ancestors are visible (kept by the scene). */
  visible = true;
  /** The label in its entity's frame (fitToWidth shrinks it). */
  readonly local = new THREE.Matrix4();
  private wanted = "";

  constructor(
    readonly owner: THREE.Object3D,
    private readonly onLaidOut: (label: SdfText) => void,
  ) {
    this.mesh.font = fontUrl;
    this.mesh.matrixAutoUpdate = false;
  }

  update(component: TextComponent, color: [number, number, number, number]): void {
    const mesh = this.mesh;
    const height = positive(component.height, DEFAULT_HEIGHT);
    const width = positive(component.width, 0);
    const halign = component.halign === "left" || component.halign === "right" ? component.halign : "center";
    const valign = component.valign === "top" || component.valign === "bottom" ? component.valign : "middle";
    this.wanted = String(component.string ?? "") + (component.insertionMarker ? "|" : "");
    // troika lays out again only when one of these actually changed
    mesh.text = this.wanted;
    mesh.fontSize = height;
    mesh.lineHeight = 1.2;
    mesh.maxWidth = component.wrap && width > 0 ? width : Infinity;
    mesh.textAlign = halign;
    // The entity's origin is the anchor: the box's centre for "center", its left/right edge otherwise (alloui Label).
    mesh.anchorX =
      halign === "center"
        ? "center"
        : halign === "left"
          ? width > 0
            ? -width / 2
            : "left"
          : width > 0
            ? width / 2
            : "right";
    mesh.anchorY = valign;
    mesh.color = (Math.round(color[0] * 255) << 16) | (Math.round(color[1] * 255) << 8) | Math.round(color[2] * 255);
    mesh.fillOpacity = color[3];
    const fitToWidth = component.fitToWidth === true && width > 0;
    mesh.sync(() => {
      if (mesh.text !== this.wanted) return; // a newer update is on its way
      const bounds = mesh.textRenderInfo?.blockBounds;
      const blockWidth = bounds ? bounds[2] - bounds[0] : 0;
      const scale = fitToWidth && blockWidth > width ? width / blockWidth : 1;
      this.local.makeScale(scale, scale, scale);
      this.laidOut = mesh.text;
      this.onLaidOut(this);
    });
  }

  dispose(): void {
    this.mesh.dispose();
  }
}

function positive(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : fallback;
}
