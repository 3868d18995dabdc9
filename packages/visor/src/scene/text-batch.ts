// Every text label in one draw call (troika's BatchedText): on software WebGL a draw call costs about a third of a
// millisecond whatever it draws, so a hundred small labels drawn one by one cost more than the rest of the frame.
// Per frame the batch writes only the labels that moved; it packs every label again only when one was laid out,
// added, removed or recoloured.
import * as THREE from "three";
import { BatchedText, Text } from "troika-three-text";
import type { SdfText } from "./text.ts";

/** troika's packing: 32 floats a label, the first 16 its matrix (BatchedText.js, "Data texture packing strategy"). */
const FLOATS_PER_LABEL = 32;
const COLLAPSED = new THREE.Matrix4().makeScale(0, 0, 0);

/** BatchedText without its per-frame passes over every member (bounds, outline check, sync check, repacking). */
class LabelMesh extends BatchedText {
  /** Pack every member at the next render (after a repack, or a colour change). */
  stale = true;
  /** Members whose matrix alone changed. */
  readonly moved = new Set<Text>();

  constructor() {
    super();
    this.frustumCulled = false; // bounds would need a pass over every label whenever one moves
    this.matrixAutoUpdate = false;
    this.renderOrder = 1; // after other transparent things: labels sit on panels
    this.addEventListener("synccomplete", () => (this.stale = true));
  }

  override hasOutline(): boolean {
    return false; // labels have no outline; the base class asks every member, every frame
  }

  override updateMatrixWorld(force?: boolean): void {
    THREE.Object3D.prototype.updateMatrixWorld.call(this, force); // no bounds: not culled
  }

  override onBeforeRender(_r: unknown, _s: unknown, _c: unknown, _g: unknown, material: THREE.Material): void {
    // sync() is called by TextBatch.update() when a label changed, not here on every render
    if ((material as { isTroikaTextMaterial?: boolean }).isTroikaTextMaterial) this._prepareForRender(material);
  }

  override _prepareForRender(material: THREE.Material): void {
    if (this.stale) {
      this.stale = false;
      this.moved.clear();
      super._prepareForRender(material);
      return;
    }
    const texture = this._dataTextures.main;
    if (texture && this.moved.size > 0) {
      for (const text of this.moved) this.writeMatrix(texture, text, text.matrix);
      this.moved.clear();
    }
    Text.prototype._prepareForRender.call(this, material);
  }

  /** Stops drawing a member at once (the repack that drops it comes a frame later). */
  collapse(text: Text): void {
    const texture = this._dataTextures.main;
    if (texture) this.writeMatrix(texture, text, COLLAPSED);
    this.moved.delete(text);
  }

  private writeMatrix(texture: THREE.DataTexture, text: Text, matrix: THREE.Matrix4): void {
    const index = this._members.get(text)?.index ?? -1;
    if (index < 0) return;
    (texture.image.data as Float32Array).set(matrix.elements, index * FLOATS_PER_LABEL);
    texture.needsUpdate = true;
  }
}

export class TextBatch {
  readonly mesh = new LabelMesh();
  private readonly moved = new Set<SdfText>();
  /** Laid out, waiting for the repack that puts them on screen. */
  private readonly waiting = new Set<SdfText>();
  private needsSync = false;
  /** Something about the labels must be drawn again (a repack, a colour). */
  private redraw = false;
  private count = 0;

  /** `onShown`: a label's new text is in the batch (drawn from the next frame on). */
  constructor(private readonly onShown: (label: SdfText) => void) {
    this.mesh.visible = false;
    this.mesh.addEventListener("synccomplete", () => {
      this.redraw = true;
      // The repack read every member's latest layout, so everything laid out before it is in.
      for (const label of this.waiting) {
        label.shown = label.laidOut;
        this.onShown(label);
      }
      this.waiting.clear();
    });
  }

  add(label: SdfText): void {
    this.mesh.addText(label.mesh);
    this.moved.add(label);
    this.mesh.visible = ++this.count > 0;
  }

  remove(label: SdfText): void {
    this.mesh.collapse(label.mesh);
    this.mesh.removeText(label.mesh);
    this.moved.delete(label);
    this.waiting.delete(label);
    this.needsSync = true;
    this.mesh.visible = --this.count > 0; // an empty batch would pack an empty texture
  }

  /** Its entity moved, or was shown or hidden. */
  touch(label: SdfText): void {
    this.moved.add(label);
  }

  /** Its colour or opacity changed. */
  restyle(): void {
    this.mesh.stale = true;
    this.redraw = true;
  }

  /** A layout finished (text.ts calls this through the scene). */
  laidOut(label: SdfText): void {
    this.waiting.add(label);
    this.moved.add(label); // its scale may have changed
    this.needsSync = true;
  }

  /** Once per frame, after world matrices are current. Whether anything changed. */
  update(): boolean {
    // (the packing flag, mesh.stale, is no reason to draw: with no labels the batch is not drawn and it stays set)
    const changed = this.moved.size > 0 || this.needsSync || this.redraw;
    this.redraw = false;
    for (const label of this.moved) {
      const matrix = label.mesh.matrix;
      if (label.visible) matrix.multiplyMatrices(label.owner.matrixWorld, label.local);
      else matrix.copy(COLLAPSED);
      this.mesh.moved.add(label.mesh);
    }
    this.moved.clear();
    if (this.needsSync) {
      this.needsSync = false;
      this.mesh.sync();
    }
    return changed;
  }

  dispose(): void {
    this.mesh.dispose();
  }
}
