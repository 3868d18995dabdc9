// The benchmark world (docs/performance.md, "The benchmarks"): six components, ~790 B of JSON an
// entity (transform of 16 full-precision doubles, parent, geometry asset, material, box collider, grabbable).
// Deterministic (seeded) so every run and every process builds the same world.
import type { Entity, Mat4 } from "@allo/protocol";

/** mulberry32: a tiny seeded PRNG, good enough to make varied but repeatable worlds. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ten lowercase letters, like allonet's entity ids. */
export function entityId(random: () => number): string {
  let s = "";
  for (let i = 0; i < 10; i++) s += String.fromCharCode(97 + Math.floor(random() * 26));
  return s;
}

/** A Y rotation by `angle` plus a translation, column-major. */
export function yRotation(angle: number, x: number, y: number, z: number): Mat4 {
  const c = Math.cos(angle),
    s = Math.sin(angle);
  return [c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, x, y, z, 1];
}

/**
 * n hex digits after `prefix`, as one flat string: built with `+=` it would be a rope of n cons cells (~2 KB an
 * asset name in V8), which no entity arriving as JSON has, and which inflated heap-per-entity figures 2.6×.
 */
const hex = (random: () => number, n: number, prefix = "") => {
  const chars: string[] = [prefix];
  for (let i = 0; i < n; i++) chars.push("0123456789abcdef"[Math.floor(random() * 16)]);
  return chars.join("");
};

/** The components of entity number `i` (without relationships; see makeWorld). */
export function benchComponents(random: () => number): Entity["components"] {
  return {
    transform: { matrix: yRotation(random() * 6.283, random() * 20 - 10, random() * 3, random() * 20 - 10) },
    geometry: { type: "asset", name: hex(random, 64, "asset:sha256:") },
    material: {
      color: [random(), random(), random(), 1],
      roughness: random(),
      metalness: random(),
      shader_name: "pbr",
    },
    collider: { type: "box", width: random() + 0.1, height: random() + 0.1, depth: random() + 0.1 },
    grabbable: { grabbable: true, translation_constraint: [1, 1, 1], rotation_constraint: [0, 1, 0] },
  };
}

/** A world of n entities; every tenth is a root, the others hang under the root before them. */
export function makeWorld(n: number, seed = 1): Map<string, Entity> {
  const random = rng(seed);
  const world = new Map<string, Entity>();
  let root = "";
  for (let i = 0; i < n; i++) {
    let id = entityId(random);
    while (world.has(id)) id = entityId(random);
    const components = benchComponents(random);
    if (i % 10 === 0) root = id;
    else components.relationships = { parent: root };
    world.set(id, { id, components });
  }
  return world;
}

/** The entity specs of makeWorld, for spawning the same world in a real place (parents resolved by the place). */
export function worldSpecs(n: number, seed = 1): Entity["components"][] {
  const random = rng(seed);
  const specs: Entity["components"][] = [];
  for (let i = 0; i < n; i++) {
    entityId(random); // keep the random stream aligned with makeWorld
    specs.push(benchComponents(random));
  }
  return specs;
}

export function worldDocument(
  world: Map<string, Entity>,
  revision = 1,
): { entities: Record<string, Entity>; revision: number } {
  return { entities: Object.fromEntries(world), revision };
}

/** Picks `count` distinct ids, spread evenly over the world, starting `offset` entities in. */
export function pickIds(world: Map<string, Entity>, count: number, offset = 0): string[] {
  const ids = [...world.keys()];
  const step = ids.length / Math.max(1, count);
  const out: string[] = [];
  for (let i = 0; i < count && i < ids.length; i++) out.push(ids[(Math.floor(i * step) + offset) % ids.length]);
  return out;
}

/**
 * A moved transform: a rotation about a tilted axis plus a translation, so all 12 non-constant numbers of the
 * matrix change (a hand or head pose). A pure Y rotation would change only 7, which favours per-element encoders.
 */
export function movedMatrix(i: number, t: number): Mat4 {
  const a = 0.37 * i + 0.01 * t;
  const [x, y, z] = [0.48, 0.8, 0.36]; // unit axis
  const c = Math.cos(a),
    s = Math.sin(a),
    k = 1 - c;
  return [
    c + x * x * k,
    y * x * k + z * s,
    z * x * k - y * s,
    0,
    x * y * k - z * s,
    c + y * y * k,
    z * y * k + x * s,
    0,
    x * z * k + y * s,
    y * z * k - x * s,
    c + z * z * k,
    0,
    Math.sin(t + i) * 10,
    1 + Math.cos(t) * 0.5,
    Math.cos(t + i) * 10,
    1,
  ];
}

/** Rounds every number to 1e-6, the precision the reference proposes to ship (§3b: 155 B → 85 B a matrix). */
export function round6(m: number[]): number[] {
  return m.map((x) => Math.round(x * 1e6) / 1e6);
}
