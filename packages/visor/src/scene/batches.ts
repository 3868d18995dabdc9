// Instanced drawing: every opaque mesh that shares its geometry and its material (colour aside) with others is one
// instance of a THREE.InstancedMesh, so a thousand cubes of any colours are one draw call, not a thousand. Each
// frame copies the members' world matrices and colours into their batch. Transparent meshes are drawn one by one
// (they need sorting) and so are asset models.
import * as THREE from "three";
import type { MaterialComponent } from "@allo/protocol";
import { colorOf, type MaterialCache, type VisorMaterial } from "./material.ts";

export interface BatchMember {
  /** The entity's group: its matrixWorld places the instance. */
  readonly object: THREE.Object3D;
  /** Read every frame, so colour animations need no rebuild. */
  material: MaterialComponent | undefined;
  readonly key: string;
  batch: Batch;
  index: number;
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

  constructor(private readonly materials: MaterialCache) {
    this.group.name = "allo-instances";
    this.group.matrixAutoUpdate = false;
  }

  add(object: THREE.Object3D, geometry: THREE.BufferGeometry, material: MaterialComponent | undefined, side: THREE.Side): BatchMember {
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
    const member: BatchMember = { object, material, key, batch, index: batch.members.length };
    batch.members.push(member);
    return member;
  }

  remove(member: BatchMember): void {
    const { batch } = member;
    const last = batch.members.pop()!;
    if (last !== member) {
      batch.members[member.index] = last;
      last.index = member.index;
    }
    if (batch.members.length > 0) return;
    batch.mesh.removeFromParent();
    batch.mesh.dispose();
    this.materials.release(batch.material);
    this.batches.delete(batch.key);
  }

  /** Once per frame, after world matrices are current. */
  update(): void {
    for (const batch of this.batches.values()) {
      const mesh = batch.mesh;
      let shown = 0;
      for (const member of batch.members) {
        if (!visible(member.object)) continue;
        mesh.setMatrixAt(shown, member.object.matrixWorld);
        const [r, g, b] = colorOf(member.material);
        mesh.setColorAt(shown, color.setRGB(r, g, b, THREE.SRGBColorSpace));
        shown++;
      }
      mesh.count = shown;
      mesh.instanceMatrix.needsUpdate = true;
      if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
    }
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
  }

  private instancedMesh(geometry: THREE.BufferGeometry, material: VisorMaterial, capacity: number): THREE.InstancedMesh {
    const mesh = new THREE.InstancedMesh(geometry, material, capacity);
    mesh.count = 0;
    mesh.frustumCulled = false; // members move every frame; the bounding sphere would go stale
    mesh.matrixAutoUpdate = false;
    mesh.setColorAt(0, color.setRGB(1, 1, 1)); // creates instanceColor before the first draw
    return mesh;
  }
}

function visible(object: THREE.Object3D): boolean {
  for (let o: THREE.Object3D | null = object; o; o = o.parent) if (!o.visible) return false;
  return true;
}
