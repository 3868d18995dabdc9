// Inline geometry for boxes and quads (geometry {type: "inline"}), as alloui's Cube and Surface send it.
import type { GeometryComponent, Vec3 } from "@allo/protocol";

export function boxGeometry([w, h, d]: Vec3): GeometryComponent {
  const x = w / 2,
    y = h / 2,
    z = d / 2;
  return {
    type: "inline",
    vertices: [
      [-x, -y, -z],
      [x, -y, -z],
      [x, y, -z],
      [-x, y, -z],
      [-x, -y, z],
      [x, -y, z],
      [x, y, z],
      [-x, y, z],
    ],
    uvs: [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ],
    triangles: [
      [4, 5, 6],
      [4, 6, 7],
      [1, 0, 3],
      [1, 3, 2],
      [0, 4, 7],
      [0, 7, 3],
      [5, 1, 2],
      [5, 2, 6],
      [7, 6, 2],
      [7, 2, 3],
      [0, 1, 5],
      [0, 5, 4],
    ],
  };
}

/** A quad in the XY plane facing +Z; uv scale crops a texture. */
export function quadGeometry([w, h]: [number, number] | Vec3, uvScale: [number, number] = [1, 1]): GeometryComponent {
  const x = w / 2,
    y = h / 2;
  const [u, v] = uvScale;
  return {
    type: "inline",
    vertices: [
      [-x, -y, 0],
      [x, -y, 0],
      [x, y, 0],
      [-x, y, 0],
    ],
    normals: [
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
    ],
    uvs: [
      [0, 0],
      [u, 0],
      [u, v],
      [0, v],
    ],
    triangles: [
      [0, 1, 2],
      [0, 2, 3],
    ],
  };
}

export function boxCollider([w, h, d]: Vec3) {
  return { type: "box" as const, width: w, height: h, depth: d };
}
