// Every text label in one draw call (troika's BatchedText): on software WebGL a draw call costs about a third of a
// millisecond whatever it draws, so a hundred small labels drawn one by one cost more than the rest of the frame.
// troika draws a glyph as an instance of one quad, and SwiftShader draws each instance as a draw of its own, so the
// packed glyphs are drawn through a plain (not instanced) copy: four vertices a glyph, rebuilt when the batch is
// repacked. Per frame the batch writes only the labels that moved; it packs every label again only when one was laid
// out, added, removed or recoloured.
import * as THREE from "three";
import { BatchedText, Text } from "troika-three-text";
import type { SdfText } from "./text.ts";

/** troika's packing: 32 floats a label, the first 16 its matrix (BatchedText.js, "Data texture packing strategy"). */
const FLOATS_PER_LABEL = 32;
const COLLAPSED = new THREE.Matrix4().makeScale(0, 0, 0);

/**
 * BatchedText as the labels' packer: never drawn itself (TextBatch draws its glyphs), and without its per-frame
 * passes over every member (outline check, repacking).
 */
class LabelPacker extends BatchedText {
  /** Pack every member at the next render (after a repack, or a colour change). */
  stale = true;
  /** Members whose matrix alone changed. */
  readonly moved = new Set<Text>();

  constructor() {
    super();
    this.addEventListener("synccomplete", () => (this.stale = true));
  }

  override hasOutline(): boolean {
    return false; // labels have no outline; the base class asks every member, every frame
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
  private readonly packer = new LabelPacker();
  /** What is drawn: the packed glyphs as plain quads, with the packer's material and data. */
  readonly mesh = new THREE.Mesh(new THREE.BufferGeometry(), this.packer.material);
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
    this.mesh.frustumCulled = false; // bounds would need a pass over every label whenever one moves
    this.mesh.matrixAutoUpdate = false;
    this.mesh.renderOrder = 1; // after other transparent things: labels sit on panels
    this.mesh.onBeforeRender = (_renderer, _scene, _camera, _geometry, material) => {
      if ((material as { isTroikaTextMaterial?: boolean }).isTroikaTextMaterial)
        this.packer._prepareForRender(material);
    };
    this.packer.addEventListener("synccomplete", () => {
      this.redraw = true;
      this.mesh.geometry = plainGlyphs(this.packer.geometry as THREE.InstancedBufferGeometry, this.mesh.geometry);
      // The repack read every member's latest layout, so everything laid out before it is in.
      for (const label of this.waiting) {
        label.shown = label.laidOut;
        this.onShown(label);
      }
      this.waiting.clear();
    });
  }

  add(label: SdfText): void {
    this.packer.addText(label.mesh);
    this.moved.add(label);
    this.mesh.visible = ++this.count > 0;
  }

  remove(label: SdfText): void {
    this.packer.collapse(label.mesh);
    this.packer.removeText(label.mesh);
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
    this.packer.stale = true;
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
      this.packer.moved.add(label.mesh);
    }
    this.moved.clear();
    if (this.needsSync) {
      this.needsSync = false;
      this.packer.sync();
    }
    return changed;
  }

  dispose(): void {
    this.packer.dispose();
    this.mesh.geometry.dispose();
  }
}

/** troika's glyph attributes, one value per glyph (per instance in its geometry). */
const GLYPH_ATTRIBUTES = [
  "aTroikaGlyphBounds",
  "aTroikaGlyphIndex",
  "aTroikaGlyphColor",
  "aTroikaTextBatchMemberIndex",
];

/**
 * The packed glyphs as plain geometry: troika's quad (position, normal, uv, index) once per glyph, each glyph's
 * attributes on its four vertices. The shader is troika's, unchanged: an attribute reads the same per vertex as per
 * instance. Reuses `previous` when it has room.
 */
function plainGlyphs(instanced: THREE.InstancedBufferGeometry, previous: THREE.BufferGeometry): THREE.BufferGeometry {
  const glyphs = instanced.instanceCount;
  const quad = {
    position: instanced.getAttribute("position"),
    normal: instanced.getAttribute("normal"),
    uv: instanced.getAttribute("uv"),
  };
  const quadIndex = instanced.getIndex()!;
  const corners = quad.position.count;
  const room = previous.getIndex() ? previous.getIndex()!.count / quadIndex.count : 0;
  let geometry = previous;
  if (room < glyphs) {
    previous.dispose();
    const capacity = Math.max(64, 2 ** Math.ceil(Math.log2(glyphs)));
    geometry = new THREE.BufferGeometry();
    for (const [name, attribute] of Object.entries(quad)) {
      const array = new Float32Array(capacity * corners * attribute.itemSize);
      for (let g = 0; g < capacity; g++) array.set(attribute.array as Float32Array, g * corners * attribute.itemSize);
      geometry.setAttribute(name, new THREE.BufferAttribute(array, attribute.itemSize));
    }
    const index = new Uint32Array(capacity * quadIndex.count);
    for (let g = 0; g < capacity; g++)
      for (let i = 0; i < quadIndex.count; i++) index[g * quadIndex.count + i] = quadIndex.getX(i) + g * corners;
    geometry.setIndex(new THREE.BufferAttribute(index, 1));
  }
  const capacity = geometry.getIndex()!.count / quadIndex.count;
  for (const name of GLYPH_ATTRIBUTES) {
    const source = instanced.getAttribute(name) as THREE.BufferAttribute | undefined;
    if (!source || source.count < glyphs) {
      // absent, or not packed by the batch (per-glyph colours: labels have none)
      if (geometry.getAttribute(name)) geometry.deleteAttribute(name);
      continue;
    }
    const size = source.itemSize;
    let target = geometry.getAttribute(name) as THREE.BufferAttribute | undefined;
    if (!target || target.itemSize !== size || target.count < capacity * corners) {
      target = new THREE.BufferAttribute(new Float32Array(capacity * corners * size), size).setUsage(
        THREE.DynamicDrawUsage,
      );
      geometry.setAttribute(name, target);
    }
    const from = source.array;
    const to = target.array as Float32Array;
    for (let g = 0; g < glyphs; g++)
      for (let c = 0; c < corners; c++)
        for (let k = 0; k < size; k++) to[(g * corners + c) * size + k] = from[g * size + k];
    target.needsUpdate = true;
  }
  geometry.setDrawRange(0, glyphs * quadIndex.count);
  return geometry;
}
