// material component → three.js material (alloverse-protocol-facts.md §8): colour with alpha, transparency,
// texture (an asset fetched over HTTP, PROTOCOL.md §9), "plain" (unlit) or "pbr" shading.
import * as THREE from "three";
import type { MaterialComponent } from "@allo/protocol";

export type VisorMaterial = THREE.MeshStandardMaterial | THREE.MeshBasicMaterial;

export class TextureCache {
  private readonly loader = new THREE.TextureLoader();
  private readonly textures = new Map<string, THREE.Texture>();
  constructor(private readonly assetUrl: (id: string) => string, private readonly onLoaded: () => void) {}

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

export function buildMaterial(component: MaterialComponent | undefined, textures: TextureCache): VisorMaterial {
  const plain = component?.shader_name === "plain";
  const material = plain ? new THREE.MeshBasicMaterial() : new THREE.MeshStandardMaterial({ roughness: 0.7, metalness: 0 });
  updateMaterial(material, component, textures);
  return material;
}

/** True when the component asks for another kind of material than `material` is. */
export function needsNewMaterial(material: VisorMaterial, component: MaterialComponent | undefined): boolean {
  const plain = component?.shader_name === "plain";
  return plain !== material instanceof THREE.MeshBasicMaterial;
}

export function updateMaterial(material: VisorMaterial, component: MaterialComponent | undefined, textures: TextureCache): void {
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
