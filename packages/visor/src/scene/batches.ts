// Instanced drawing: every opaque mesh that shares its geometry and its material (colour aside) with others is one
// instance of a THREE.InstancedMesh, so a thousand cubes of any colours are one draw call, not a thousand. Each
// member keeps its slot; only members marked changed (moved, recoloured, shown or hidden) are written again, so a
// frame costs what changed, not the batch's size. Transparent meshes are drawn one by one (they need sorting) and so
// are asset models.
import * as THREE from "three";
import type { MaterialComponent } from "@allo/protocol";
import { colorOf, type MaterialCache, type VisorMaterial } from "./material.ts";

export interface BatchMember {
  /** The entity's group: its matrixWorld places the instance. */
  readonly object: THREE.Object3D;
  material: MaterialComponent | undefined;
  readonly key: string;
  batch: Batch;
  index: number;
  /** Whether the entity and all its ancestors are visible (kept by the scene, read when written). */
  shown: boolean;
}

interface Batch {
  key: string;
  geometry: THREE.BufferGeometry;
  material: VisorMaterial;
  mesh: THREE.InstancedMesh;
  members: BatchMember[];
}

const INITIAL_CAPACITY = 16;
const color = new THREE.Color();
/** A hidden member's matrix: every vertex at one point, so nothing is rasterised. */
const COLLAPSED = new THREE.Matrix4().makeScale(0, 0, 0);

export function isBatchable(material: MaterialComponent | undefined): boolean {
  return colorOf(material)[3] >= 1 && material?.hasTransparency !== true;
}

/** The batch a mesh belongs to: same geometry, side and material apart from its colour. */
export function batchKey(geometry: THREE.BufferGeometry, material: MaterialComponent | undefined, side: THREE.Side): string {
  const { color: _ignored, ...rest } = material ?? {};
  return `${geometry.uuid}|${side}|${JSON.stringify(rest)}`;
}

export class InstanceBatches {
  readonly group = new THREE.Group();
  private readonly batches = new Map<string, Batch>();
  private readonly changed = new Set<BatchMember>();

  constructor(private readonly materials: MaterialCache) {
    this.group.name = "allo-instances";
    this.group.matrixAutoUpdate = false;
  }

  add(object: THREE.Object3D, geometry: THREE.BufferGeometry, material: MaterialComponent | undefined, side: THREE.Side, shown: boolean): BatchMember {
    const key = batchKey(geometry, material, side);
    let batch = this.batches.get(key);
    if (!batch) {
      const { color: _ignored, ...uncoloured } = material ?? {};
      const shared = this.materials.acquire(uncoloured, side);
      batch = { key, geometry, material: shared, mesh: this.instancedMesh(geometry, shared, INITIAL_CAPACITY), members: [] };
      this.batches.set(key, batch);
      this.group.add(batch.mesh);
    }
    if (batch.members.length === batch.mesh.instanceMatrix.count) this.grow(batch);
    const member: BatchMember = { object, material, key, batch, index: batch.members.length, shown };
    batch.members.push(member);
    batch.mesh.count = batch.members.length;
    this.changed.add(member);
    return member;
  }

  remove(member: BatchMember): void {
    const { batch } = member;
    this.changed.delete(member);
    const last = batch.members.pop()!;
    if (last !== member) {
      batch.members[member.index] = last;
      last.index = member.index;
      this.changed.add(last); // moved into the freed slot
    }
    batch.mesh.count = batch.members.length;
    if (batch.members.length > 0) return;
    batch.mesh.removeFromParent();
    batch.mesh.dispose();
    this.materials.release(batch.material);
    this.batches.delete(batch.key);
  }

  /** The member moved, changed colour, or was shown or hidden: write it again at the next update(). */
  touch(member: BatchMember): void {
    this.changed.add(member);
  }

  /** Once per frame, after world matrices are current: writes the changed members. Whether anything was written. */
  update(): boolean {
    if (this.changed.size === 0) return false;
    for (const member of this.changed) {
      const mesh = member.batch.mesh;
      mesh.setMatrixAt(member.index, member.shown ? member.object.matrixWorld : COLLAPSED);
      const [r, g, b] = colorOf(member.material);
      mesh.setColorAt(member.index, color.setRGB(r, g, b, THREE.SRGBColorSpace));
      markRange(mesh.instanceMatrix, member.index, 16);
      markRange(mesh.instanceColor!, member.index, 3);
    }
    this.changed.clear();
    return true;
  }

  get drawCalls(): number {
    return this.batches.size;
  }

  private grow(batch: Batch): void {
    const bigger = this.instancedMesh(batch.geometry, batch.material, batch.mesh.instanceMatrix.count * 2);
    batch.mesh.removeFromParent();
    batch.mesh.dispose();
    batch.mesh = bigger;
    this.group.add(bigger);
    for (const member of batch.members) this.changed.add(member);
  }

  private instancedMesh(geometry: THREE.BufferGeometry, material: VisorMaterial, capacity: number): THREE.InstancedMesh {
    const mesh = new THREE.InstancedMesh(geometry, material, capacity);
    mesh.count = 0;
    mesh.frustumCulled = false; // members move; a bounding sphere kept current would cost a pass over all of them
    mesh.matrixAutoUpdate = false;
    mesh.setColorAt(0, color.setRGB(1, 1, 1)); // creates instanceColor before the first draw
    mesh.instanceMatrix.setUsage(THREE.DynamicDrawUsage);
    mesh.instanceColor!.setUsage(THREE.DynamicDrawUsage);
    return mesh;
  }
}

/** Uploads only the written slots: one range per member (three.js merges neighbouring ranges before upload). */
function markRange(attribute: THREE.InstancedBufferAttribute, index: number, itemSize: number): void {
  attribute.addUpdateRange(index * itemSize, itemSize);
  attribute.needsUpdate = true;
}
