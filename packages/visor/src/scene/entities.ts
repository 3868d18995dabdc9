// The world mirror → three.js objects. One Group per entity carries its transform; relationships.parent nests the
// groups (a child that arrives before its parent waits at the root until it appears). Geometry, material, text and
// collider are rebuilt only when their component changed. Per frame, update() recomputes world matrices only under
// entities that moved (three.js would otherwise walk the whole world every frame) and passes them to the mesh
// and text batches: a frame's work follows what changed, not the world's size.
import * as THREE from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import type {
  Components,
  Entity,
  EntityId,
  GeometryComponent,
  MaterialComponent,
  TextComponent,
  ColliderComponent,
} from "@allo/protocol";
import { InlineGeometryCache } from "./geometry.ts";
import { MeshBatches, batchKey, isBatchable, type BatchMember } from "./batches.ts";
import { MaterialCache, TextureCache, colorOf, type Shading, type VisorMaterial } from "./material.ts";
import { SdfText } from "./text.ts";
import { TextBatch } from "./text-batch.ts";

export interface EntityView {
  readonly id: EntityId;
  /** Carries transform.matrix; children's groups are nested in it. */
  readonly object: THREE.Group;
  /** The components as the place last sent them. */
  components: Components;
  /** What is drawn: the components with property animations applied (scene/animation.ts). */
  shown: Components;
  parentId?: EntityId;
  /** A mesh drawn on its own (transparent, big, or an asset model)… */
  mesh?: THREE.Object3D;
  material?: VisorMaterial;
  /** …or a member of a shared batch. */
  member?: BatchMember;
  /** The geometry of `mesh` or `member`, from the geometry cache. */
  geometry?: THREE.BufferGeometry;
  /** Laid out alone, drawn by the scene's TextBatch. */
  text?: SdfText;
  /** Invisible (never rendered), for picking only. */
  collider?: THREE.Mesh;
  /** Each component's value as last drawn: the mirror never mutates a value, so `===` tells change. */
  readonly drawn: Map<string, unknown>;
}

export interface EntitySceneOptions {
  assetUrl: (id: string) => string;
  /** Called when something about an entity became visible (applied, or its text laid out). */
  onDrawnChange: (id: EntityId) => void;
  /** Readable problems (bad geometry, failed asset), once per entity and cause. */
  onProblem: (id: EntityId, problem: string) => void;
  /** Per-vertex lighting where pixels are expensive (software WebGL). Default pbr. */
  shading?: Shading;
}

const COLLIDER_MATERIAL = new THREE.MeshBasicMaterial({ visible: false });
const IDENTITY = new THREE.Matrix4();

export class EntityScene {
  readonly root = new THREE.Group();
  readonly views = new Map<EntityId, EntityView>();
  /** Collider meshes, for picking (input/pointer.ts). userData.entityId names the entity. */
  private readonly colliders = new Set<THREE.Mesh>();
  private colliderArray: THREE.Mesh[] | undefined;
  private readonly batches: MeshBatches;
  private readonly labels: TextBatch;
  private readonly orphans = new Map<EntityId, Set<EntityId>>();
  private readonly materials: MaterialCache;
  private readonly geometries = new InlineGeometryCache();
  private readonly gltf = new GLTFLoader();
  private readonly hidden = new Set<EntityId>();
  /** Entities whose world matrices (and their descendants') are stale, or whose visibility changed. */
  private readonly moved = new Set<EntityView>();
  /** Something drawn changed since the last update(). */
  private redraw = true;

  constructor(private readonly options: EntitySceneOptions) {
    this.root.name = "allo-world";
    // The world's matrices are kept current by update(), only where something moved (the stage does not walk it).
    this.root.matrixAutoUpdate = false;
    this.materials = new MaterialCache(new TextureCache(options.assetUrl, () => (this.redraw = true)), options.shading);
    this.batches = new MeshBatches(this.materials);
    this.root.add(this.batches.group);
    this.labels = new TextBatch((label) => {
      this.redraw = true;
      const id = label.owner.userData.entityId as EntityId;
      if (this.views.get(id)?.text === label) this.options.onDrawnChange(id);
    });
    this.root.add(this.labels.mesh);
  }

  /**
   * Once per frame, before rendering: world matrices under the entities that moved, then the batches' changed
   * members. Returns whether anything drawn changed (if not, the last frame still shows the world).
   */
  update(): boolean {
    this.refreshMatrices();
    const batchesChanged = this.batches.update();
    const labelsChanged = this.labels.update();
    const changed = this.redraw || batchesChanged || labelsChanged;
    this.redraw = false;
    return changed;
  }

  /**
   * World matrices (and colliders) under the entities that moved since the last call. The frame does it before
   * drawing; picking does it too, so a press right after an entity arrived or moved hits where it now is.
   */
  refreshMatrices(): void {
    if (this.moved.size === 0) return;
    for (const view of this.moved) {
      if (this.hasMovedAncestor(view)) continue; // its subtree is refreshed with the ancestor's
      view.object.updateMatrixWorld(true);
      this.refreshSubtree(view.object, isShown(view.object.parent));
    }
    this.moved.clear();
    this.redraw = true;
  }

  /** The colliders as an array (what the raycaster takes), rebuilt only after one was added or removed. */
  colliderList(): THREE.Mesh[] {
    return (this.colliderArray ??= [...this.colliders]);
  }

  /** Add or update an entity from the mirror. */
  upsert(entity: Entity): void {
    let view = this.views.get(entity.id);
    if (!view) {
      view = this.create(entity.id);
    }
    view.components = entity.components;
    view.shown = entity.components;
    this.draw(view);
  }

  /** Draw `shown` (the animated components) without touching what the place sent. */
  showAnimated(id: EntityId, shown: Components): void {
    const view = this.views.get(id);
    if (!view) return;
    view.shown = shown;
    this.draw(view);
  }

  remove(id: EntityId): void {
    const view = this.views.get(id);
    if (!view) return;
    for (const child of [...view.object.children]) {
      const childView = this.viewOf(child);
      if (childView) {
        this.root.add(child);
        this.waitForParent(childView.id, id);
        this.moved.add(childView);
      }
    }
    if (view.parentId) this.orphans.get(view.parentId)?.delete(id);
    view.object.removeFromParent();
    this.disposeMesh(view);
    this.removeText(view);
    if (view.collider) this.colliders.delete(view.collider);
    this.colliderArray = undefined;
    this.views.delete(id);
    this.moved.delete(view);
    this.hidden.delete(id);
    this.redraw = true;
  }

  clear(): void {
    for (const id of [...this.views.keys()]) this.remove(id);
    this.orphans.clear();
  }

  /** Hide an entity and its descendants (the visor's own avatar: the camera is inside its head). */
  hide(id: EntityId): void {
    this.hidden.add(id);
    const view = this.views.get(id);
    if (!view) return;
    view.object.visible = false;
    this.moved.add(view);
  }

  worldMatrixOf(id: EntityId): THREE.Matrix4 | undefined {
    const view = this.views.get(id);
    if (!view) return undefined;
    view.object.updateWorldMatrix(true, false);
    return view.object.matrixWorld;
  }

  /** The nearest entity, from `id` up its parents, whose components satisfy `test`. */
  findUp(id: EntityId, test: (components: Components) => boolean): EntityView | undefined {
    let view = this.views.get(id);
    for (let depth = 0; view && depth < 64; depth++) {
      if (test(view.components)) return view;
      view = view.parentId ? this.views.get(view.parentId) : undefined;
    }
    return undefined;
  }

  private create(id: EntityId): EntityView {
    const object = new THREE.Group();
    object.name = id;
    object.userData.entityId = id;
    object.matrixAutoUpdate = false;
    const view: EntityView = { id, object, components: {}, shown: {}, drawn: new Map() };
    this.views.set(id, view);
    this.root.add(object);
    this.moved.add(view);
    if (this.hidden.has(id)) object.visible = false;
    // children that arrived first come home
    const waiting = this.orphans.get(id);
    if (waiting) {
      this.orphans.delete(id);
      for (const childId of waiting) {
        const child = this.views.get(childId);
        if (child && child.parentId === id) object.add(child.object);
      }
    }
    return view;
  }

  private draw(view: EntityView): void {
    const c = view.shown;
    let changed = false;
    if (this.changed(view, "transform", c.transform)) {
      const m = c.transform?.matrix;
      if (Array.isArray(m) && m.length === 16 && m.every(Number.isFinite)) view.object.matrix.fromArray(m);
      else view.object.matrix.copy(IDENTITY);
      this.moved.add(view);
      changed = true;
    }
    if (this.changed(view, "relationships", c.relationships)) {
      this.reparent(view, typeof c.relationships?.parent === "string" ? c.relationships.parent : undefined);
      changed = true;
    }
    const geometryChanged = this.changed(view, "geometry", c.geometry);
    const materialChanged = this.changed(view, "material", c.material);
    if (geometryChanged) this.rebuildMesh(view, c.geometry, c.material);
    else if (materialChanged && (view.material || view.member)) this.refreshMaterial(view, c.geometry, c.material);
    const textChanged = this.changed(view, "text", c.text);
    if (textChanged || (materialChanged && c.text)) this.redrawText(view, c.text, c.material);
    if (this.changed(view, "collider", c.collider)) this.rebuildCollider(view, c.collider);
    if (changed || geometryChanged || materialChanged || textChanged) {
      this.redraw = true;
      this.options.onDrawnChange(view.id);
    }
  }

  private changed(view: EntityView, name: string, value: unknown): boolean {
    if (view.drawn.get(name) === value && view.drawn.has(name)) return false;
    view.drawn.set(name, value);
    return true;
  }

  private reparent(view: EntityView, parentId: EntityId | undefined): void {
    if (view.parentId) this.orphans.get(view.parentId)?.delete(view.id);
    view.parentId = parentId;
    this.moved.add(view);
    const parent = parentId ? this.views.get(parentId) : undefined;
    if (parent && !isAncestor(view.object, parent.object)) parent.object.add(view.object);
    else {
      this.root.add(view.object);
      if (parentId) this.waitForParent(view.id, parentId);
    }
  }

  private waitForParent(childId: EntityId, parentId: EntityId): void {
    let set = this.orphans.get(parentId);
    if (!set) this.orphans.set(parentId, (set = new Set()));
    set.add(childId);
  }

  private rebuildMesh(
    view: EntityView,
    geometry: GeometryComponent | undefined,
    material: MaterialComponent | undefined,
  ): void {
    this.disposeMesh(view);
    if (!geometry) return;
    const result = this.geometries.acquire(geometry, this.options.assetUrl);
    if (result.kind === "invalid") {
      this.options.onProblem(view.id, result.reason);
      return;
    }
    if (result.kind === "mesh") {
      view.geometry = result.geometry;
      const side = geometry.type === "inline" ? THREE.DoubleSide : THREE.FrontSide;
      if (isBatchable(result.geometry, material)) {
        view.member = this.batches.add(view.object, result.geometry, material, side, isShown(view.object));
        return;
      }
      view.material = this.materials.acquire(material, side);
      const mesh = new THREE.Mesh(result.geometry, view.material);
      mesh.userData.entityId = view.id;
      mesh.matrixAutoUpdate = false;
      view.mesh = mesh;
      view.object.add(mesh);
      this.moved.add(view); // the new mesh's world matrix
      return;
    }
    const url = result.url;
    this.gltf.load(
      url,
      (gltf) => {
        const current = this.views.get(view.id);
        if (current !== view || view.drawn.get("geometry") !== geometry) return; // superseded
        this.disposeMesh(view);
        view.mesh = gltf.scene;
        view.object.add(gltf.scene);
        this.moved.add(view);
        this.redraw = true;
        this.options.onDrawnChange(view.id);
      },
      undefined,
      (error) =>
        this.options.onProblem(view.id, `asset mesh ${url} failed to load: ${(error as Error)?.message ?? error}`),
    );
  }

  private refreshMaterial(
    view: EntityView,
    geometry: GeometryComponent | undefined,
    material: MaterialComponent | undefined,
  ): void {
    const member = view.member;
    // A colour change stays in its batch (the member is written again); anything else finds a new home.
    if (
      member &&
      view.geometry &&
      isBatchable(view.geometry, material) &&
      batchKey(view.geometry, material, member.batch.material.side) === member.key
    ) {
      member.material = material;
      this.batches.touch(member);
      return;
    }
    this.rebuildMesh(view, geometry, material);
  }

  private redrawText(view: EntityView, text: TextComponent | undefined, material: MaterialComponent | undefined): void {
    if (!text || typeof text.string !== "string") {
      this.removeText(view);
      return;
    }
    if (!view.text) {
      view.text = new SdfText(view.object, (label) => this.labels.laidOut(label));
      view.text.visible = isShown(view.object);
      this.labels.add(view.text);
    }
    view.text.update(text, material?.color ? colorOf(material) : [1, 1, 1, 1]);
    this.labels.restyle(); // colour and opacity are packed with the batch, not laid out
  }

  private removeText(view: EntityView): void {
    if (!view.text) return;
    this.labels.remove(view.text);
    view.text.dispose();
    view.text = undefined;
  }

  private rebuildCollider(view: EntityView, collider: ColliderComponent | undefined): void {
    if (view.collider) {
      this.colliders.delete(view.collider);
      this.colliderArray = undefined;
      view.collider.removeFromParent();
      view.collider.geometry.dispose();
      view.collider = undefined;
    }
    if (!collider || collider.type !== "box") return;
    const size = [collider.width, collider.height, collider.depth].map((v) =>
      typeof v === "number" && v > 0 ? v : 0.001,
    );
    const box = new THREE.Mesh(new THREE.BoxGeometry(size[0], size[1], size[2]), COLLIDER_MATERIAL);
    box.position.set(num(collider.x), num(collider.y), num(collider.z));
    box.updateMatrix();
    box.matrixAutoUpdate = false;
    box.visible = false; // the renderer skips it; the raycaster does not look at `visible`
    box.userData.entityId = view.id;
    view.collider = box;
    view.object.add(box);
    this.colliders.add(box);
    this.colliderArray = undefined;
    this.moved.add(view);
  }

  /** After `object`'s world matrix was recomputed: tell the batches about every entity under it. */
  private refreshSubtree(object: THREE.Object3D, parentShown: boolean): void {
    const shown = parentShown && object.visible;
    const view = this.viewOf(object);
    if (view?.member) {
      view.member.shown = shown;
      this.batches.touch(view.member);
    }
    if (view?.text) {
      view.text.visible = shown;
      this.labels.touch(view.text);
    }
    for (const child of object.children) if (this.viewOf(child)) this.refreshSubtree(child, shown);
  }

  private hasMovedAncestor(view: EntityView): boolean {
    for (let o = view.object.parent; o && o !== this.root; o = o.parent) {
      const ancestor = this.viewOf(o);
      if (ancestor && this.moved.has(ancestor)) return true;
    }
    return false;
  }

  /** The entity whose group `object` is, if it is one. */
  private viewOf(object: THREE.Object3D): EntityView | undefined {
    const id = object.userData.entityId as EntityId | undefined;
    const view = id === undefined ? undefined : this.views.get(id);
    return view?.object === object ? view : undefined;
  }

  private disposeMesh(view: EntityView): void {
    if (view.member) {
      this.batches.remove(view.member);
      view.member = undefined;
    }
    if (view.mesh) {
      view.mesh.removeFromParent();
      if (!view.material)
        view.mesh.traverse((o) => {
          // an asset model: its geometries and materials are its own
          if (o instanceof THREE.Mesh) {
            o.geometry.dispose();
            const materials = Array.isArray(o.material) ? o.material : [o.material];
            for (const m of materials) m.dispose();
          }
        });
      view.mesh = undefined;
    }
    if (view.material) this.materials.release(view.material);
    view.material = undefined;
    if (view.geometry) this.geometries.release(view.geometry);
    view.geometry = undefined;
  }
}

/** Whether `object` and all its ancestors are visible (null: the top, shown). */
function isShown(object: THREE.Object3D | null): boolean {
  for (let o = object; o; o = o.parent) if (!o.visible) return false;
  return true;
}

function isAncestor(candidate: THREE.Object3D, of: THREE.Object3D): boolean {
  for (let o: THREE.Object3D | null = of; o; o = o.parent) if (o === candidate) return true;
  return false;
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}
