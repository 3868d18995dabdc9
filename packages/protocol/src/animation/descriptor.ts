// Validation of property-animation descriptors (docs/protocol.md §6.2): every problem gets its own readable reason.
import type { AnimationValue, Json, PropertyAnimationDescriptor } from "../types.ts";
import { EASING_NAMES, isEasingName, type EasingName } from "./easings.ts";
import type { AnimationTiming } from "./interpolate.ts";
import {
  parseKeyPath,
  resolveKeyPath,
  valueKind,
  type AnimationKind,
  type AnimationResult,
  type KeyPath,
  type ResolvedPath,
} from "./key-path.ts";

/** A validated animation: its parsed path, its timing, and the normalised descriptor the place stores and streams. */
export interface PropertyAnimation extends AnimationTiming {
  path: KeyPath;
  descriptor: Required<PropertyAnimationDescriptor> & { from: AnimationValue };
}

export const DESCRIPTOR_FIELDS = [
  "path",
  "from",
  "to",
  "start_at",
  "duration",
  "easing",
  "repeats",
  "autoreverses",
] as const;
/** A generous ceiling: a year. Keeps arithmetic on start/duration far from precision trouble. */
export const MAX_DURATION_SECONDS = 365 * 24 * 3600;
/**
 * The largest magnitude of a number in from/to. Interpolation computes to − from, eases overshoot past 1 and
 * matrices are decomposed (squares of their entries): within ±1e15 none of that can overflow (docs/protocol.md §6.2).
 */
export const MAX_ANIMATED_MAGNITUDE = 1e15;

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
const KIND_HELP = "a number, vec3 [x,y,z], rotation [angle,ax,ay,az] or mat4 (16 numbers)";
const KIND_NAMES: Record<AnimationKind, string> = {
  number: "a number",
  vec3: "a vec3",
  rotation: "a rotation",
  mat4: "a mat4",
};

function describeJson(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

function checkValue(name: "from" | "to", value: unknown): AnimationResult<AnimationKind> {
  if (value === undefined) return fail(`${name} is required`);
  const kind = valueKind(value);
  if (!kind) return fail(`${name} must be ${KIND_HELP} of finite numbers; got ${describeJson(value)}`);
  const numbers = typeof value === "number" ? [value] : (value as number[]);
  if (numbers.some((x) => Math.abs(x) > MAX_ANIMATED_MAGNITUDE)) {
    return fail(
      `${name} holds a number beyond ±${MAX_ANIMATED_MAGNITUDE}, where interpolation could overflow; got ${describeJson(value)}`,
    );
  }
  if (kind === "rotation") {
    const [, ax, ay, az] = value as number[];
    if (ax === 0 && ay === 0 && az === 0) return fail(`${name} is a rotation [angle,ax,ay,az] whose axis is zero`);
  }
  return { ok: true, value: kind };
}

/**
 * Checks a descriptor from the wire. `now` (server seconds) replaces an absent or 0 `start_at`.
 * Does not look at the entity: see checkAnimationTarget.
 */
export function validateAnimationDescriptor(
  input: unknown,
  options: { now: number },
): AnimationResult<PropertyAnimation> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return fail(`animation descriptor must be an object with path, from and to; got ${describeJson(input)}`);
  }
  const d = input as Record<string, unknown>;
  const unknown = Object.keys(d).filter((k) => !(DESCRIPTOR_FIELDS as readonly string[]).includes(k));
  if (unknown.length)
    return fail(`unknown field "${unknown[0]}" in animation descriptor (known: ${DESCRIPTOR_FIELDS.join(", ")})`);

  if (d.path === undefined) return fail("path is required");
  const path = parseKeyPath(d.path);
  if (!path.ok) return path;

  const toKind = checkValue("to", d.to);
  if (!toKind.ok) return toKind;
  const fromKind = checkValue("from", d.from);
  if (!fromKind.ok) return fromKind;
  if (fromKind.value !== toKind.value) {
    return fail(
      `from is ${KIND_NAMES[fromKind.value]} but to is ${KIND_NAMES[toKind.value]}; they must be the same kind`,
    );
  }

  let startAt = options.now;
  if (d.start_at !== undefined) {
    if (typeof d.start_at !== "number" || !Number.isFinite(d.start_at))
      return fail(`start_at must be a number of server seconds; got ${describeJson(d.start_at)}`);
    if (d.start_at < 0) return fail(`start_at must be ≥ 0 server seconds (0 means now); got ${d.start_at}`);
    if (d.start_at !== 0) startAt = d.start_at;
  }

  let duration = 1;
  if (d.duration !== undefined) {
    if (typeof d.duration !== "number" || !Number.isFinite(d.duration))
      return fail(`duration must be a number of seconds; got ${describeJson(d.duration)}`);
    if (d.duration <= 0) return fail(`duration must be > 0 seconds; got ${d.duration}`);
    if (d.duration > MAX_DURATION_SECONDS)
      return fail(`duration must be at most ${MAX_DURATION_SECONDS} seconds; got ${d.duration}`);
  }
  if (typeof d.duration === "number") duration = d.duration;

  let easing: EasingName = "linear";
  if (d.easing !== undefined) {
    if (!isEasingName(d.easing))
      return fail(`unknown easing ${describeJson(d.easing)}; use one of ${EASING_NAMES.join(", ")}`);
    easing = d.easing;
  }
  for (const flag of ["repeats", "autoreverses"] as const) {
    if (d[flag] !== undefined && typeof d[flag] !== "boolean")
      return fail(`${flag} must be true or false; got ${describeJson(d[flag])}`);
  }
  const repeats = d.repeats === true;
  const autoreverses = d.autoreverses === true;
  const from = d.from as AnimationValue;
  const to = d.to as AnimationValue;
  return {
    ok: true,
    value: {
      path: path.value,
      from,
      to,
      kind: toKind.value,
      startAt,
      duration,
      easing,
      repeats,
      autoreverses,
      descriptor: { path: path.value.text, from, to, start_at: startAt, duration, easing, repeats, autoreverses },
    },
  };
}

/** Resolves the animation's path in the entity's components and checks the value kind fits there. */
export function checkAnimationTarget(
  animation: PropertyAnimation,
  components: Record<string, unknown>,
): AnimationResult<ResolvedPath> {
  const resolved = resolveKeyPath(components, animation.path);
  if (!resolved.ok) return resolved;
  if (resolved.value.kind !== animation.kind) {
    return fail(
      `path "${animation.path.text}" holds ${KIND_NAMES[resolved.value.kind]}, but from/to are ${KIND_NAMES[animation.kind]}`,
    );
  }
  return resolved;
}

/** The stored descriptor as plain JSON (for the `property_animations` component). */
export function descriptorJson(animation: PropertyAnimation): Json {
  const d = animation.descriptor;
  const value = (v: AnimationValue): Json => (Array.isArray(v) ? [...v] : v);
  return { ...d, from: value(d.from), to: value(d.to) };
}
