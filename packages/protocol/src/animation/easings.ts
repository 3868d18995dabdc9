// The 31 easing curves of property animations (docs/protocol.md §6.2). Formulas are the AHEasing set the original
// Alloverse place used, with two deliberate fixes, both documented in docs/protocol.md §6.2:
// every curve maps 0 → 0 and 1 → 1 exactly, and backInOut uses (2 − 2p) inside sin (the reference's p made it jump at ½).

export type Easing = (p: number) => number;

const HALF_PI = Math.PI / 2;

function bounceOut(p: number): number {
  if (p < 4 / 11) return (121 * p * p) / 16;
  if (p < 8 / 11) return (363 / 40) * p * p - (99 / 10) * p + 17 / 5;
  if (p < 9 / 10) return (4356 / 361) * p * p - (35442 / 1805) * p + 16061 / 1805;
  return (54 / 5) * p * p - (513 / 25) * p + 268 / 25;
}
const bounceIn = (p: number) => 1 - bounceOut(1 - p);

const curves = {
  linear: (p: number) => p,

  quadIn: (p: number) => p * p,
  quadOut: (p: number) => -(p * (p - 2)),
  quadInOut: (p: number) => (p < 0.5 ? 2 * p * p : -2 * p * p + 4 * p - 1),

  cubicIn: (p: number) => p * p * p,
  cubicOut: (p: number) => (p - 1) ** 3 + 1,
  cubicInOut: (p: number) => (p < 0.5 ? 4 * p * p * p : 0.5 * (2 * p - 2) ** 3 + 1),

  quartIn: (p: number) => p ** 4,
  quartOut: (p: number) => (p - 1) ** 3 * (1 - p) + 1,
  quartInOut: (p: number) => (p < 0.5 ? 8 * p ** 4 : -8 * (p - 1) ** 4 + 1),

  quintIn: (p: number) => p ** 5,
  quintOut: (p: number) => (p - 1) ** 5 + 1,
  quintInOut: (p: number) => (p < 0.5 ? 16 * p ** 5 : 0.5 * (2 * p - 2) ** 5 + 1),

  sineIn: (p: number) => Math.sin((p - 1) * HALF_PI) + 1,
  sineOut: (p: number) => Math.sin(p * HALF_PI),
  sineInOut: (p: number) => 0.5 * (1 - Math.cos(p * Math.PI)),

  circularIn: (p: number) => 1 - Math.sqrt(1 - p * p),
  circularOut: (p: number) => Math.sqrt((2 - p) * p),
  circularInOut: (p: number) =>
    p < 0.5 ? 0.5 * (1 - Math.sqrt(1 - 4 * p * p)) : 0.5 * (Math.sqrt(-(2 * p - 3) * (2 * p - 1)) + 1),

  expIn: (p: number) => 2 ** (10 * (p - 1)),
  expOut: (p: number) => 1 - 2 ** (-10 * p),
  expInOut: (p: number) => (p < 0.5 ? 0.5 * 2 ** (20 * p - 10) : -0.5 * 2 ** (-20 * p + 10) + 1),

  elasticIn: (p: number) => Math.sin(13 * HALF_PI * p) * 2 ** (10 * (p - 1)),
  elasticOut: (p: number) => Math.sin(-13 * HALF_PI * (p + 1)) * 2 ** (-10 * p) + 1,
  elasticInOut: (p: number) =>
    p < 0.5
      ? 0.5 * Math.sin(13 * HALF_PI * (2 * p)) * 2 ** (10 * (2 * p - 1))
      : 0.5 * (Math.sin(-13 * HALF_PI * (2 * p)) * 2 ** (-10 * (2 * p - 1)) + 2),

  backIn: (p: number) => p * p * p - p * Math.sin(p * Math.PI),
  backOut: (p: number) => {
    const a = 1 - p;
    return 1 - (a * a * a - a * Math.sin(a * Math.PI));
  },
  backInOut: (p: number) => {
    if (p < 0.5) {
      const a = 2 * p;
      return 0.5 * (a * a * a - a * Math.sin(a * Math.PI));
    }
    const a = 2 - 2 * p;
    return 0.5 * (1 - (a * a * a - a * Math.sin(a * Math.PI))) + 0.5;
  },

  bounceIn,
  bounceOut,
  bounceInOut: (p: number) => (p < 0.5 ? 0.5 * bounceIn(2 * p) : 0.5 * bounceOut(2 * p - 1) + 0.5),
} satisfies Record<string, Easing>;

export type EasingName = keyof typeof curves;

/** All 31 easing names, in the order of the spec's table. */
export const EASING_NAMES = Object.keys(curves) as EasingName[];

export function isEasingName(name: unknown): name is EasingName {
  return typeof name === "string" && Object.hasOwn(curves, name);
}

/** The eased progress for p in [0, 1]; exactly 0 at 0 and exactly 1 at 1 for every curve. */
export function ease(name: EasingName, p: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return curves[name](p);
}

/** The raw formula, without the endpoint clamp (for tests and tools that plot curves). */
export function easingFormula(name: EasingName): Easing {
  return curves[name];
}
