// geometry component → three.js geometry (docs/protocol.md §3.1): inline meshes, asset meshes fetched from
// the place over HTTP (docs/protocol.md §9, GET /assets/<id>), and a few hard-coded primitives.
import * as THREE from "three";
import type { GeometryComponent } from "@allo/protocol";

/** The hard-coded models a visor knows by name. Sizes are about what the original visor drew. */
const PRIMITIVES: Record<string, () => THREE.BufferGeometry> = {
  cube: () => new THREE.BoxGeometry(1, 1, 1),
  box: () => new THREE.BoxGeometry(1, 1, 1),
  sphere: () => new THREE.SphereGeometry(0.5, 32, 16),
  cylinder: () => new THREE.CylinderGeometry(0.5, 0.5, 1, 32),
  plane: () => new THREE.PlaneGeometry(1, 1),
  quad: () => new THREE.PlaneGeometry(1, 1),
  head: () => new THREE.SphereGeometry(0.12, 24, 16).scale(1, 1.2, 1.1),
  hand: () => new THREE.BoxGeometry(0.08, 0.03, 0.12),
  lefthand: () => new THREE.BoxGeometry(0.08, 0.03, 0.12),
  righthand: () => new THREE.BoxGeometry(0.08, 0.03, 0.12),
  torso: () => new THREE.CapsuleGeometry(0.15, 0.4, 4, 12),
};

/** Primitives are shared by every entity that uses them (one GPU buffer, however many cubes). */
const sharedPrimitives = new Map<string, THREE.BufferGeometry>();

function primitive(name: string): THREE.BufferGeometry | undefined {
  let geometry = sharedPrimitives.get(name);
  if (!geometry) {
    const make = PRIMITIVES[name];
    if (!make) return undefined;
    geometry = make();
    geometry.userData.shared = true;
    sharedPrimitives.set(name, geometry);
  }
  return geometry;
}

export type GeometryResult =
  | { kind: "mesh"; geometry: THREE.BufferGeometry }
  | { kind: "asset"; url: string }
  | { kind: "invalid"; reason: string };

/**
 * Inline meshes with the same content share one geometry (UI apps draw many same-sized boxes), so they can also
 * share a batch (batches.ts). Released when the last user lets go.
 */
export class InlineGeometryCache {
  private readonly entries = new Map<string, { geometry: THREE.BufferGeometry; users: number }>();

  acquire(component: GeometryComponent, assetUrl: (id: string) => string): GeometryResult {
    if (component.type !== "inline") return buildGeometry(component, assetUrl);
    const key = JSON.stringify(component);
    const entry = this.entries.get(key);
    if (entry) {
      entry.users++;
      return { kind: "mesh", geometry: entry.geometry };
    }
    const result = buildGeometry(component, assetUrl);
    if (result.kind === "mesh") {
      result.geometry.userData.cacheKey = key;
      this.entries.set(key, { geometry: result.geometry, users: 1 });
    }
    return result;
  }

  /** Lets go of a geometry from acquire(); disposes it when unused (shared primitives are kept). */
  release(geometry: THREE.BufferGeometry): void {
    if (geometry.userData.shared) return;
    const key = geometry.userData.cacheKey as string | undefined;
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (!entry) return geometry.dispose();
    if (--entry.users > 0) return;
    this.entries.delete(key!);
    geometry.dispose();
  }
}

export function buildGeometry(component: GeometryComponent, assetUrl: (id: string) => string): GeometryResult {
  switch (component.type) {
    case "inline":
      return inlineGeometry(component);
    case "asset":
      if (typeof component.name !== "string" || !component.name)
        return { kind: "invalid", reason: "asset geometry without a name" };
      return { kind: "asset", url: assetUrl(component.name) };
    case "hardcoded-model": {
      const geometry = primitive(String(component.name).toLowerCase());
      if (!geometry)
        return {
          kind: "invalid",
          reason: `unknown hard-coded model "${component.name}" (known: ${Object.keys(PRIMITIVES).join(", ")})`,
        };
      return { kind: "mesh", geometry };
    }
    default:
      return { kind: "invalid", reason: `unknown geometry type "${(component as { type?: unknown }).type}"` };
  }
}

function inlineGeometry(component: Extract<GeometryComponent, { type: "inline" }>): GeometryResult {
  const { vertices, normals, uvs, triangles } = component;
  if (!Array.isArray(vertices) || !Array.isArray(triangles))
    return { kind: "invalid", reason: "inline geometry needs vertices and triangles" };
  const positions = flatten(vertices, 3);
  if (!positions) return { kind: "invalid", reason: "inline geometry: every vertex must be [x,y,z] numbers" };
  const index = flatten(triangles, 3);
  if (!index) return { kind: "invalid", reason: "inline geometry: every triangle must be [i,j,k]" };
  const count = vertices.length;
  if (index.some((i) => !Number.isInteger(i) || i < 0 || i >= count))
    return { kind: "invalid", reason: "inline geometry: a triangle points past the vertices" };
  let geometry = new THREE.BufferGeometry();
  geometry.setAttribute("position", new THREE.Float32BufferAttribute(positions, 3));
  geometry.setIndex(index);
  const uvData = Array.isArray(uvs) && uvs.length === count ? flatten(uvs, 2) : undefined;
  if (uvData) geometry.setAttribute("uv", new THREE.Float32BufferAttribute(uvData, 2));
  const normalData = Array.isArray(normals) && normals.length === count ? flatten(normals, 3) : undefined;
  if (normalData) geometry.setAttribute("normal", new THREE.Float32BufferAttribute(normalData, 3));
  else {
    // No normals given: flat faces (a box whose corners share vertices would otherwise look rounded).
    geometry = geometry.toNonIndexed();
    geometry.computeVertexNormals();
  }
  geometry.computeBoundingSphere();
  return { kind: "mesh", geometry };
}

function flatten(rows: unknown[], width: number): number[] | undefined {
  const out: number[] = new Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row) || row.length < width) return undefined;
    for (let c = 0; c < width; c++) {
      const v = row[c];
      if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
      out[r * width + c] = v;
    }
  }
  return out;
}
