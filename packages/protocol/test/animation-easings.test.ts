// Easing curves checked at sample points against the formulas of docs/protocol.md §6.2.
import { describe, expect, it } from "vitest";
import { EASING_NAMES, ease, type EasingName } from "../src/animation/index.ts";

const PI = Math.PI;
function bounceOut(p: number): number {
  if (p < 4 / 11) return (121 * p * p) / 16;
  if (p < 8 / 11) return (363 / 40) * p * p - (99 / 10) * p + 17 / 5;
  if (p < 9 / 10) return (4356 / 361) * p * p - (35442 / 1805) * p + 16061 / 1805;
  return (54 / 5) * p * p - (513 / 25) * p + 268 / 25;
}
const bounceIn = (p: number) => 1 - bounceOut(1 - p);

// The table of the fact sheet, transcribed term by term.
const formulas: Record<EasingName, (p: number) => number> = {
  linear: (p) => p,
  quadIn: (p) => p * p,
  quadOut: (p) => -p * (p - 2),
  quadInOut: (p) => (p < 0.5 ? 2 * p * p : -2 * p * p + 4 * p - 1),
  cubicIn: (p) => p * p * p,
  cubicOut: (p) => Math.pow(p - 1, 3) + 1,
  cubicInOut: (p) => (p < 0.5 ? 4 * p * p * p : 0.5 * Math.pow(2 * p - 2, 3) + 1),
  quartIn: (p) => Math.pow(p, 4),
  quartOut: (p) => Math.pow(p - 1, 3) * (1 - p) + 1,
  quartInOut: (p) => (p < 0.5 ? 8 * Math.pow(p, 4) : -8 * Math.pow(p - 1, 4) + 1),
  quintIn: (p) => Math.pow(p, 5),
  quintOut: (p) => Math.pow(p - 1, 5) + 1,
  quintInOut: (p) => (p < 0.5 ? 16 * Math.pow(p, 5) : 0.5 * Math.pow(2 * p - 2, 5) + 1),
  sineIn: (p) => Math.sin(((p - 1) * PI) / 2) + 1,
  sineOut: (p) => Math.sin((p * PI) / 2),
  sineInOut: (p) => 0.5 * (1 - Math.cos(p * PI)),
  circularIn: (p) => 1 - Math.sqrt(1 - p * p),
  circularOut: (p) => Math.sqrt((2 - p) * p),
  circularInOut: (p) =>
    p < 0.5 ? 0.5 * (1 - Math.sqrt(1 - 4 * p * p)) : 0.5 * (Math.sqrt(-(2 * p - 3) * (2 * p - 1)) + 1),
  expIn: (p) => Math.pow(2, 10 * (p - 1)),
  expOut: (p) => 1 - Math.pow(2, -10 * p),
  expInOut: (p) => (p < 0.5 ? 0.5 * Math.pow(2, 20 * p - 10) : 1 - 0.5 * Math.pow(2, -20 * p + 10)),
  elasticIn: (p) => Math.sin(13 * (PI / 2) * p) * Math.pow(2, 10 * (p - 1)),
  elasticOut: (p) => Math.sin(-13 * (PI / 2) * (p + 1)) * Math.pow(2, -10 * p) + 1,
  elasticInOut: (p) =>
    p < 0.5
      ? 0.5 * Math.sin(13 * (PI / 2) * 2 * p) * Math.pow(2, 10 * (2 * p - 1))
      : 0.5 * (Math.sin(-13 * (PI / 2) * 2 * p) * Math.pow(2, -10 * (2 * p - 1)) + 2),
  backIn: (p) => p * p * p - p * Math.sin(p * PI),
  backOut: (p) => {
    const a = 1 - p;
    return 1 - (a * a * a - a * Math.sin(a * PI));
  },
  // Deliberate fix (docs/protocol.md §6.2): sin(aπ) in the second branch, where the reference wrote sin(pπ).
  backInOut: (p) => {
    if (p < 0.5) {
      const a = 2 * p;
      return 0.5 * (a * a * a - a * Math.sin(a * PI));
    }
    const a = 2 - 2 * p;
    return 0.5 * (1 - (a * a * a - a * Math.sin(a * PI))) + 0.5;
  },
  bounceIn,
  bounceOut,
  bounceInOut: (p) => (p < 0.5 ? 0.5 * bounceIn(2 * p) : 0.5 * bounceOut(2 * p - 1) + 0.5),
};

const SAMPLES = [0.05, 0.1, 0.25, 0.3, 0.4, 0.49, 0.5, 0.51, 0.6, 0.75, 0.8, 0.9, 0.95, 0.99];

describe("easings", () => {
  it("has exactly the 31 names of the spec", () => {
    expect(EASING_NAMES).toHaveLength(31);
    expect(new Set(EASING_NAMES)).toEqual(new Set(Object.keys(formulas)));
  });

  it.each(EASING_NAMES)("%s matches its formula at sample points", (name) => {
    for (const p of SAMPLES) expect(ease(name, p), `${name}(${p})`).toBeCloseTo(formulas[name](p), 12);
  });

  it.each(EASING_NAMES)("%s starts at exactly 0 and ends at exactly 1", (name) => {
    expect(ease(name, 0)).toBe(0);
    expect(ease(name, 1)).toBe(1);
  });

  it("gives hand-computed values", () => {
    expect(ease("quadIn", 0.5)).toBe(0.25);
    expect(ease("cubicOut", 0.5)).toBe(0.875);
    expect(ease("sineInOut", 0.5)).toBeCloseTo(0.5, 15);
    expect(ease("circularIn", 0.5)).toBeCloseTo(1 - Math.sqrt(0.75), 15);
    expect(ease("expOut", 0.1)).toBeCloseTo(0.5, 15);
    expect(ease("bounceOut", 0.5)).toBeCloseTo(0.71875, 15);
    expect(ease("elasticIn", 0.5)).toBeCloseTo(-Math.SQRT1_2 / 32, 15);
    expect(ease("quartInOut", 0.25)).toBeCloseTo(8 / 256, 15);
  });

  it("the InOut curves are continuous at one half (backInOut included)", () => {
    for (const name of EASING_NAMES.filter((n) => n.endsWith("InOut"))) {
      expect(Math.abs(ease(name, 0.5 - 1e-9) - ease(name, 0.5 + 1e-9)), name).toBeLessThan(1e-3);
    }
  });

  it("the In/Out pairs mirror each other", () => {
    for (const base of ["quad", "cubic", "quint", "sine", "circular", "bounce"]) {
      for (const p of SAMPLES) {
        expect(ease(`${base}Out` as EasingName, p), `${base} at ${p}`).toBeCloseTo(
          1 - ease(`${base}In` as EasingName, 1 - p),
          12,
        );
      }
    }
  });
});
