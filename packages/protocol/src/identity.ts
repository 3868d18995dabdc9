// Matrix constants and constructors; all matrix math goes through gl-matrix (column-major, like the wire).
import { mat4 } from "gl-matrix";
import type { Mat4 } from "./types.ts";

/** The 4×4 identity, frozen: copy it (identityMatrix()) before changing anything. */
export const IDENTITY_MATRIX: readonly number[] = Object.freeze([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

export function identityMatrix(): Mat4 {
  return IDENTITY_MATRIX.slice();
}

export function translationMatrix(x: number, y: number, z: number): Mat4 {
  return Array.from(mat4.fromTranslation(mat4.create(), [x, y, z]));
}
