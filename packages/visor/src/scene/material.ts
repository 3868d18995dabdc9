// material component → three.js material (docs/protocol.md §3.1): colour with alpha, transparency,
// texture (an asset fetched over HTTP, docs/protocol.md §9), "plain" (unlit) or "pbr" shading.
import * as THREE from "three";
import type { MaterialComponent } from "@allo/protocol";
import { litPerVertex, type VertexLighting } from "./vertex-lit.ts";

export type VisorMaterial = THREE.MeshStandardMaterial | THREE.MeshBasicMaterial;

/**
 * "pbr" shades every pixel physically; "vertex" lights per vertex (vertex-lit.ts), so a pixel costs what an unlit
 * one does: for software WebGL, where filling pixels is the frame's cost (stage.ts picks it).
 */
export type Shading = { kind: "pbr" } | { kind: "vertex"; lighting: VertexLighting };
const PBR: Shading = { kind: "pbr" };

export class TextureCache {
  private readonly loader = new THREE.TextureLoader();
  private readonly textures = new Map<string, THREE.Texture>();
  constructor(
    private readonly assetUrl: (id: string) => string,
    private readonly onLoaded: () => void,
  ) {}

  get(id: string): THREE.Texture {
    let texture = this.textures.get(id);
    if (!texture) {
      texture = this.loader.load(
        this.assetUrl(id),
        () => this.onLoaded(),
        undefined,
        (error) => console.warn(`allo visor: texture ${id} failed to load`, error),
      );
      texture.colorSpace = THREE.SRGBColorSpace;
      this.textures.set(id, texture);
    }
    return texture;
  }
}

/**
 * Materials are shared by every mesh whose material component (and side) is the same, and disposed when the last
 * one lets go: a thousand cubes of a few colours cost a few materials.
 */
export class MaterialCache {
  private readonly entries = new Map<string, { material: VisorMaterial; users: number }>();
  private readonly keys = new WeakMap<VisorMaterial, string>();

  constructor(
    private readonly textures: TextureCache,
    private readonly shading: Shading = PBR,
  ) {}

  /** `vertexColors`: the colour is the component's times each vertex's (batches.ts bakes members' colours in). */
  acquire(
    component: MaterialComponent | undefined,
    side: THREE.Side,
    options: { vertexColors?: boolean } = {},
  ): VisorMaterial {
    const vertexColors = options.vertexColors === true;
    const key = `${side}|${vertexColors ? "vertex-colours|" : ""}${component ? JSON.stringify(component) : ""}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const material = buildMaterial(component, this.textures, this.shading);
      material.side = side;
      material.vertexColors = vertexColors;
      entry = { material, users: 0 };
      this.entries.set(key, entry);
      this.keys.set(material, key);
    }
    entry.users++;
    return entry.material;
  }

  release(material: VisorMaterial): void {
    const key = this.keys.get(material);
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (!entry || --entry.users > 0) return;
    this.entries.delete(key!);
    material.dispose();
  }

  get size(): number {
    return this.entries.size;
  }
}

export function buildMaterial(
  component: MaterialComponent | undefined,
  textures: TextureCache,
  shading: Shading = PBR,
): VisorMaterial {
  const plain = component?.shader_name === "plain";
  const material = plain
    ? new THREE.MeshBasicMaterial()
    : shading.kind === "vertex"
      ? litPerVertex(new THREE.MeshBasicMaterial(), shading.lighting)
      : new THREE.MeshStandardMaterial({ roughness: 0.7, metalness: 0 });
  updateMaterial(material, component, textures);
  return material;
}

export function updateMaterial(
  material: VisorMaterial,
  component: MaterialComponent | undefined,
  textures: TextureCache,
): void {
  const [r, g, b, a] = colorOf(component);
  material.color.setRGB(r, g, b, THREE.SRGBColorSpace);
  const transparent = a < 1 || component?.hasTransparency === true;
  if (material.transparent !== transparent) material.needsUpdate = true;
  material.transparent = transparent;
  material.opacity = a;
  material.depthWrite = !transparent;
  const map = typeof component?.texture === "string" && component.texture ? textures.get(component.texture) : null;
  if (material.map !== map) material.needsUpdate = true;
  material.map = map;
  if (material instanceof THREE.MeshStandardMaterial) {
    material.roughness = finite(component?.roughness, 0.7);
    material.metalness = finite(component?.metalness, 0);
  }
}

export function colorOf(component: MaterialComponent | undefined): [number, number, number, number] {
  const c = component?.color;
  if (!Array.isArray(c)) return [1, 1, 1, 1];
  return [unit(c[0], 1), unit(c[1], 1), unit(c[2], 1), unit(c[3], 1)];
}

function unit(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : fallback;
}
function finite(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}
