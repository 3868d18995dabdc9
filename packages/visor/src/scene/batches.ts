// Batched drawing: every opaque mesh that shares its (small) geometry and its material, colour aside, with others
// is baked into one geometry in world space, so a thousand cubes of any colours are one draw call. Not instancing:
// software WebGL (SwiftShader) draws each instance as a draw of its own (measured: 1,000 tiny instanced cubes
// 22–27 fps, the same cubes baked into one geometry 52–54, nothing 59). Each member keeps its slot of vertices;
// only members marked changed (moved, recoloured, shown or hidden) are written again, so a frame costs what changed,
// not the batch's size. Transparent meshes are drawn one by one (they need sorting), and so are asset models and
// geometries too big to copy per member.
import * as THREE from "three";
import type { MaterialComponent } from "@allo/protocol";
import { colorOf, type MaterialCache, type VisorMaterial } from "./material.ts";

export interface BatchMember {
  /** The entity's group: its matrixWorld places the member's vertices. */
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
  source: THREE.BufferGeometry;
  material: VisorMaterial;
  mesh: THREE.Mesh<THREE.BufferGeometry, VisorMaterial>;
  members: BatchMember[];
  /** Members the arrays have room for. */
  capacity: number;
}

/** Geometries with more vertices are drawn one mesh per entity: copying them per member would cost more than it saves. */
export const MAX_BATCHED_VERTICES = 1024;
const INITIAL_CAPACITY = 16;
const color = new THREE.Color();
const vertex = new THREE.Vector3();
const normalMatrix = new THREE.Matrix3();

export function isBatchable(geometry: THREE.BufferGeometry, material: MaterialComponent | undefined): boolean {
  return (
    geometry.getAttribute("position").count <= MAX_BATCHED_VERTICES &&
    colorOf(material)[3] >= 1 &&
    material?.hasTransparency !== true
  );
}

/** The batch a mesh belongs to: same geometry, side and material apart from its colour. */
export function batchKey(
  geometry: THREE.BufferGeometry,
  material: MaterialComponent | undefined,
  side: THREE.Side,
): string {
  const { color: _ignored, ...rest } = material ?? {};
  return `${geometry.uuid}|${side}|${JSON.stringify(rest)}`;
}

export class MeshBatches {
  readonly group = new THREE.Group();
  private readonly batches = new Map<string, Batch>();
  private readonly changed = new Set<BatchMember>();

  constructor(private readonly materials: MaterialCache) {
    this.group.name = "allo-batches";
    this.group.matrixAutoUpdate = false;
  }

  add(
    object: THREE.Object3D,
    geometry: THREE.BufferGeometry,
    material: MaterialComponent | undefined,
    side: THREE.Side,
    shown: boolean,
  ): BatchMember {
    const key = batchKey(geometry, material, side);
    let batch = this.batches.get(key);
    if (!batch) {
      const { color: _ignored, ...uncoloured } = material ?? {};
      const shared = this.materials.acquire(uncoloured, side, { vertexColors: true });
      const mesh = new THREE.Mesh(bakedGeometry(geometry, INITIAL_CAPACITY), shared);
      mesh.frustumCulled = false; // members move; bounds kept current would cost a pass over all of them
      mesh.matrixAutoUpdate = false;
      batch = { key, source: geometry, material: shared, mesh, members: [], capacity: INITIAL_CAPACITY };
      this.batches.set(key, batch);
      this.group.add(mesh);
    }
    if (batch.members.length === batch.capacity) this.grow(batch);
    const member: BatchMember = { object, material, key, batch, index: batch.members.length, shown };
    batch.members.push(member);
    setDrawn(batch);
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
    setDrawn(batch);
    if (batch.members.length > 0) return;
    batch.mesh.removeFromParent();
    batch.mesh.geometry.dispose();
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
    for (const member of this.changed) writeMember(member);
    this.changed.clear();
    return true;
  }

  get drawCalls(): number {
    return this.batches.size;
  }

  private grow(batch: Batch): void {
    const old = batch.mesh.geometry;
    batch.capacity *= 2;
    batch.mesh.geometry = bakedGeometry(batch.source, batch.capacity);
    old.dispose();
    for (const member of batch.members) this.changed.add(member);
  }
}

/** Room for `capacity` copies of `source`: position, normal, colour (and uv), indices offset per copy. */
function bakedGeometry(source: THREE.BufferGeometry, capacity: number): THREE.BufferGeometry {
  const vertices = source.getAttribute("position").count;
  const geometry = new THREE.BufferGeometry();
  const attribute = (itemSize: number) =>
    new THREE.BufferAttribute(new Float32Array(vertices * capacity * itemSize), itemSize).setUsage(
      THREE.DynamicDrawUsage,
    );
  geometry.setAttribute("position", attribute(3));
  geometry.setAttribute("normal", attribute(3));
  geometry.setAttribute("color", attribute(3));
  const uv = source.getAttribute("uv");
  if (uv) {
    // the same in every copy: written once here
    const uvs = new Float32Array(vertices * capacity * 2);
    for (let copy = 0; copy < capacity; copy++) {
      for (let i = 0; i < vertices; i++) {
        uvs[(copy * vertices + i) * 2] = uv.getX(i);
        uvs[(copy * vertices + i) * 2 + 1] = uv.getY(i);
      }
    }
    geometry.setAttribute("uv", new THREE.BufferAttribute(uvs, 2));
  }
  const index = source.getIndex();
  if (index) {
    const indices = new Uint32Array(index.count * capacity);
    for (let copy = 0; copy < capacity; copy++)
      for (let i = 0; i < index.count; i++) indices[copy * index.count + i] = index.getX(i) + copy * vertices;
    geometry.setIndex(new THREE.BufferAttribute(indices, 1));
  }
  geometry.setDrawRange(0, 0);
  return geometry;
}

/** Draws exactly the members' copies. */
function setDrawn(batch: Batch): void {
  const index = batch.source.getIndex();
  const perMember = index ? index.count : batch.source.getAttribute("position").count;
  batch.mesh.geometry.setDrawRange(0, batch.members.length * perMember);
}

/** The member's copy of the geometry in world space (or collapsed to a point while hidden), and its colour. */
function writeMember(member: BatchMember): void {
  const { source, mesh } = member.batch;
  const geometry = mesh.geometry;
  const positions = geometry.getAttribute("position") as THREE.BufferAttribute;
  const normals = geometry.getAttribute("normal") as THREE.BufferAttribute;
  const colors = geometry.getAttribute("color") as THREE.BufferAttribute;
  const sourcePositions = source.getAttribute("position");
  const sourceNormals = source.getAttribute("normal");
  const count = sourcePositions.count;
  const first = member.index * count;
  const world = member.object.matrixWorld;
  normalMatrix.getNormalMatrix(world);
  const [r, g, b] = colorOf(member.material);
  color.setRGB(r, g, b, THREE.SRGBColorSpace); // vertex colours are linear
  for (let i = 0; i < count; i++) {
    const at = first + i;
    if (member.shown) vertex.fromBufferAttribute(sourcePositions, i).applyMatrix4(world);
    else vertex.set(0, 0, 0);
    positions.setXYZ(at, vertex.x, vertex.y, vertex.z);
    if (sourceNormals) vertex.fromBufferAttribute(sourceNormals, i).applyMatrix3(normalMatrix).normalize();
    else vertex.set(0, 1, 0);
    normals.setXYZ(at, vertex.x, vertex.y, vertex.z);
    colors.setXYZ(at, color.r, color.g, color.b);
  }
  for (const attribute of [positions, normals, colors]) {
    attribute.addUpdateRange(first * 3, count * 3);
    attribute.needsUpdate = true;
  }
}
