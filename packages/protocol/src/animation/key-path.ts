// Key paths of property animations (docs/protocol.md §6.2): `component.key.index…`, plus the matrix paths
// `….matrix.translation|rotation|scale[.x|.y|.z]`, which change only that part of the matrix (a fix: the original
// Alloverse place rebuilt the whole matrix for a rotation path, losing its scale).
import { mat4, quat, vec3 } from "gl-matrix";
import type { AnimationValue, Json } from "../types.ts";

export type AnimationResult<T> = { ok: true; value: T } | { ok: false; error: string };
export type AnimationKind = "number" | "vec3" | "rotation" | "mat4";
export type MatrixPart = "translation" | "rotation" | "scale";
export type Axis = 0 | 1 | 2;

export interface KeyPath {
  text: string;
  component: string;
  /** The segments after the component name. */
  segments: string[];
}

/** Where a key path lands in a concrete entity, and the kind of value an animation along it carries. */
export interface ResolvedPath {
  component: string;
  /** Object keys and array indices from the component value to the leaf (or to the matrix, for matrix paths). */
  steps: (string | number)[];
  matrix?: { part: MatrixPart; axis?: Axis };
  kind: AnimationKind;
}

export const MAX_PATH_LENGTH = 1024;
export const MAX_SEGMENT_LENGTH = 254;
const MATRIX_PARTS: readonly string[] = ["translation", "rotation", "scale"];
const AXES: Record<string, Axis> = { x: 0, y: 1, z: 2 };
const INDEX = /^(0|[1-9][0-9]*)$/;

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

export function parseKeyPath(text: unknown): AnimationResult<KeyPath> {
  if (typeof text !== "string") return fail('path must be a string like "transform.matrix.translation.y"');
  if (text.length === 0) return fail("path is empty");
  if (text.length > MAX_PATH_LENGTH) return fail(`path is longer than ${MAX_PATH_LENGTH} characters`);
  const parts = text.split(".");
  const emptyAt = parts.findIndex((p) => p.length === 0);
  if (emptyAt >= 0) return fail(`path "${text}" has an empty segment (segment ${emptyAt + 1})`);
  const long = parts.find((p) => p.length > MAX_SEGMENT_LENGTH);
  if (long) return fail(`path "${text}" has a segment longer than ${MAX_SEGMENT_LENGTH} characters`);
  return { ok: true, value: { text, component: parts[0], segments: parts.slice(1) } };
}

/** The kind of a JSON value as an animation sees it: number, vec3 (3), rotation (4) or mat4 (16) of finite numbers. */
export function valueKind(value: unknown): AnimationKind | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? "number" : undefined;
  if (!Array.isArray(value)) return undefined;
  const n = value.length;
  if (n !== 3 && n !== 4 && n !== 16) return undefined;
  for (let i = 0; i < n; i++) {
    const v = value[i];
    if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
  }
  return n === 3 ? "vec3" : n === 4 ? "rotation" : "mat4";
}

const isMatrix = (node: unknown): node is number[] =>
  Array.isArray(node) && node.length === 16 && valueKind(node) === "mat4";
const isObject = (node: unknown): node is Record<string, unknown> =>
  typeof node === "object" && node !== null && !Array.isArray(node);
const describe = (node: unknown) =>
  node === null ? "null" : Array.isArray(node) ? `an array of ${node.length}` : `a ${typeof node}`;

/** Follows the path into an entity's components; every way it can fail has its own message. */
export function resolveKeyPath(components: Record<string, unknown>, path: KeyPath): AnimationResult<ResolvedPath> {
  if (!Object.hasOwn(components, path.component))
    return fail(`entity has no component "${path.component}" (path "${path.text}")`);
  let node: unknown = components[path.component];
  const steps: (string | number)[] = [];
  for (let i = 0; i < path.segments.length; i++) {
    const segment = path.segments[i];
    if (isMatrix(node) && MATRIX_PARTS.includes(segment))
      return resolveMatrixPath(path, steps, segment as MatrixPart, path.segments.slice(i + 1), atText(path, i));
    if (Array.isArray(node)) {
      if (!INDEX.test(segment))
        return fail(`"${atText(path, i)}" is an array; "${segment}" is not an index (path "${path.text}")`);
      const index = Number(segment);
      if (index >= node.length)
        return fail(
          `"${atText(path, i)}" has ${node.length} elements; index ${index} is out of range (path "${path.text}")`,
        );
      steps.push(index);
      node = node[index];
    } else if (isObject(node)) {
      if (!Object.hasOwn(node, segment))
        return fail(`"${atText(path, i)}" has no key "${segment}" (path "${path.text}")`);
      steps.push(segment);
      node = node[segment];
    } else {
      return fail(
        `"${atText(path, i)}" is ${describe(node)}; cannot go into it with "${segment}" (path "${path.text}")`,
      );
    }
  }
  const kind = valueKind(node);
  if (!kind) {
    return fail(
      `the value at "${path.text}" is ${describe(node)}; animations need a number, vec3 (3), rotation (4) or mat4 (16)`,
    );
  }
  return { ok: true, value: { component: path.component, steps, kind } };
}

/** The path up to segment i, for error messages only. */
const atText = (path: KeyPath, i: number) => [path.component, ...path.segments.slice(0, i)].join(".");

/**
 * True when a path resolved earlier still leads to a value of its kind: the per-tick check of a running animation,
 * without the string work of resolveKeyPath.
 */
export function stillFits(components: Record<string, unknown>, resolved: ResolvedPath): boolean {
  if (!Object.hasOwn(components, resolved.component)) return false;
  let node: unknown = components[resolved.component];
  for (const step of resolved.steps) {
    if (typeof step === "number") {
      if (!Array.isArray(node) || step >= node.length) return false;
      node = node[step];
    } else {
      if (!isObject(node) || !Object.hasOwn(node, step)) return false;
      node = node[step];
    }
  }
  return resolved.matrix ? isMatrix(node) : valueKind(node) === resolved.kind;
}

function resolveMatrixPath(
  path: KeyPath,
  steps: (string | number)[],
  part: MatrixPart,
  rest: string[],
  at: string,
): AnimationResult<ResolvedPath> {
  if (rest.length > 1 || (rest.length === 1 && !(rest[0] in AXES))) {
    return fail(`after "${at}.${part}" only .x, .y or .z may follow (path "${path.text}")`);
  }
  const axis = rest.length === 1 ? AXES[rest[0]] : undefined;
  const kind: AnimationKind = axis !== undefined ? "number" : part === "rotation" ? "rotation" : "vec3";
  return {
    ok: true,
    value: { component: path.component, steps, matrix: axis === undefined ? { part } : { part, axis }, kind },
  };
}

// ── Reading and writing ─────────────────────────────────────────────────────────────────────────────────────

function nodeAt(components: Record<string, unknown>, resolved: ResolvedPath): unknown {
  let node: unknown = components[resolved.component];
  for (const step of resolved.steps) node = (node as Record<string | number, unknown>)[step];
  return node;
}

/** The current value along a resolved path (for matrix paths: the translation, scale, axis-angle rotation or one axis). */
export function readKeyPath(components: Record<string, unknown>, resolved: ResolvedPath): AnimationValue {
  const node = nodeAt(components, resolved);
  if (!resolved.matrix) return Array.isArray(node) ? [...(node as number[])] : (node as number);
  const m = node as number[];
  const { part, axis } = resolved.matrix;
  if (part === "translation") return axis === undefined ? [m[12], m[13], m[14]] : m[12 + axis];
  if (part === "scale") {
    const s = mat4.getScaling(new Float64Array(3), m);
    return axis === undefined ? [s[0], s[1], s[2]] : s[axis];
  }
  const q = matrixRotation(m);
  const axisOut = new Float64Array(3);
  const angle = quat.getAxisAngle(axisOut, q);
  if (axis === undefined) return [angle, axisOut[0], axisOut[1], axisOut[2]];
  // The angle about one unit axis: the signed angle when the rotation is about that axis, else its projection.
  return angle * axisOut[axis];
}

/** A copy of the component's value with the path set to `value`; only the containers along the path are copied. */
export function writeKeyPath(components: Record<string, unknown>, resolved: ResolvedPath, value: AnimationValue): Json {
  const root = components[resolved.component] as Json;
  return copyAlong(root, resolved.steps, 0, (leaf) =>
    resolved.matrix ? writeMatrixPart(leaf as number[], resolved.matrix, value) : cloneValue(value),
  );
}

/**
 * writeKeyPath, or undefined when what it would write holds a non-finite number (a matrix part recomposed with a
 * huge scale overflows even when every input is finite; JSON would carry it as null).
 */
export function writeFiniteKeyPath(
  components: Record<string, unknown>,
  resolved: ResolvedPath,
  value: AnimationValue,
): Json | undefined {
  let finite = true;
  const root = components[resolved.component] as Json;
  const written = copyAlong(root, resolved.steps, 0, (leaf) => {
    const out = resolved.matrix ? writeMatrixPart(leaf as number[], resolved.matrix, value) : cloneValue(value);
    finite = Array.isArray(out) ? out.every(Number.isFinite) : Number.isFinite(out);
    return out;
  });
  return finite ? written : undefined;
}

function copyAlong(node: Json, steps: (string | number)[], i: number, leaf: (node: Json) => Json): Json {
  if (i === steps.length) return leaf(node);
  const step = steps[i];
  if (Array.isArray(node)) {
    const copy = node.slice();
    copy[step as number] = copyAlong(node[step as number], steps, i + 1, leaf);
    return copy;
  }
  const object = node as Record<string, Json>;
  const copy: Record<string, Json> = { ...object };
  const value = copyAlong(object[step as string], steps, i + 1, leaf);
  // "__proto__" must stay a plain data property: assignment would set the prototype instead.
  if (step === "__proto__")
    Object.defineProperty(copy, step, { value, writable: true, enumerable: true, configurable: true });
  else copy[step as string] = value;
  return copy;
}

const cloneValue = (value: AnimationValue): Json => (Array.isArray(value) ? [...value] : value);

// Scratch space: the simulation writes thousands of matrix parts per tick, and fresh typed arrays would feed the GC.
const scratchScale = new Float64Array(3);
const scratchTranslation = new Float64Array(3);
const scratchMatrix = new Float64Array(16);
const scratchQuat = new Float64Array(4);
const scratchAxis = new Float64Array(3);

/** Sets one part of a TRS matrix and keeps the others (gl-matrix does the composition). */
export function writeMatrixPart(
  matrix: number[],
  target: { part: MatrixPart; axis?: Axis },
  value: AnimationValue,
): number[] {
  const out = matrix.slice();
  const { part, axis } = target;
  if (part === "translation") {
    if (axis === undefined) [out[12], out[13], out[14]] = value as number[];
    else out[12 + axis] = value as number;
    return out;
  }
  const current = mat4.getScaling(scratchScale, matrix);
  if (part === "scale") {
    // Rescale each basis column to its new length: the rotation and translation stay bit-for-bit.
    for (let column = 0; column < 3; column++) {
      const next =
        axis === undefined ? (value as number[])[column] : column === axis ? (value as number) : current[column];
      const length = current[column];
      for (let row = 0; row < 3; row++) {
        const i = column * 4 + row;
        out[i] = length > 0 ? (matrix[i] / length) * next : row === column ? next : 0;
      }
    }
    return out;
  }
  const rotation =
    axis === undefined ? rotationToQuat(value as number[], scratchQuat) : axisAngleQuat(axis, value as number);
  scratchTranslation[0] = matrix[12];
  scratchTranslation[1] = matrix[13];
  scratchTranslation[2] = matrix[14];
  const composed = mat4.fromRotationTranslationScale(scratchMatrix, rotation, scratchTranslation, current);
  for (let i = 0; i < 16; i++) out[i] = composed[i];
  return out;
}

/**
 * The rotation of a TRS matrix as a unit quaternion, in double precision. Not mat4.getRotation: gl-matrix 3.4 divides
 * rows instead of columns by the scale (wrong under non-uniform scale) and computes the scale in float32.
 */
export function matrixRotation(m: ArrayLike<number>): quat {
  const s = mat4.getScaling(new Float64Array(3), m as number[]);
  const r = new Float64Array(9);
  for (let column = 0; column < 3; column++) {
    for (let row = 0; row < 3; row++)
      r[column * 3 + row] = s[column] > 0 ? m[column * 4 + row] / s[column] : row === column ? 1 : 0;
  }
  return quat.normalize(new Float64Array(4), quat.fromMat3(new Float64Array(4), r));
}

/** `[angle, ax, ay, az]` → unit quaternion (the axis is normalised; validation refuses a zero axis). */
export function rotationToQuat(rotation: number[], out: quat = new Float64Array(4)): quat {
  const [angle, ax, ay, az] = rotation;
  scratchAxis[0] = ax;
  scratchAxis[1] = ay;
  scratchAxis[2] = az;
  vec3.normalize(scratchAxis, scratchAxis);
  return quat.setAxisAngle(out, scratchAxis, angle);
}

const UNIT_AXES = [new Float64Array([1, 0, 0]), new Float64Array([0, 1, 0]), new Float64Array([0, 0, 1])];
function axisAngleQuat(axis: Axis, angle: number): quat {
  return quat.setAxisAngle(scratchQuat, UNIT_AXES[axis], angle);
}
