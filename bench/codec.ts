// B2 patch.bytes and B3 join.fullstate (docs/performance.md, "The benchmarks"): Allo's JSON merge patches, built by
// @allo/protocol's ChangeLog the way the place builds them, next to @colyseus/schema v5 on the same world in the
// same process; and the full state a joiner needs, encoded and decoded by both.
import {
  ChangeLog,
  entitiesPatch,
  markComponent,
  parsePlaceMessage,
  type ChangeSet,
  type Entity,
  type Json,
} from "@allo/protocol";
import { frameText, PLACE_MESSAGE_LIMITS } from "../packages/client/src/connection.ts";
import { WorldMirror } from "../packages/client/src/mirror.ts";
import { SetFrames, SPARE_KEEP_MS } from "../packages/place/src/set-frame.ts";
import { World } from "../packages/place/src/world.ts";
import { dirtyFloor, stringifyWorld } from "./baselines.ts";
import { colyseusWorld, copyBytes } from "./lib/colyseus-world.ts";
import {
  figure,
  gc,
  printReport,
  sampleSync,
  summarize,
  type BenchReport,
  type Figure,
  type Profile,
} from "./lib/report.ts";
import { makeWorld, movedMatrix, pickIds, round6 } from "./lib/world.ts";

/** A place's World holding the bench world, committed. */
function placeWorld(world: Map<string, Entity>): World {
  const w = new World();
  for (const [id, e] of world) w.add(id, "place", e.components);
  w.commit();
  return w;
}

/** The `set` frame a joiner gets (docs/protocol.md §5), by the place's own encoder with nothing kept: every entity. */
export function encodeFullState(world: World): Buffer {
  return new SetFrames(world).encode();
}

/**
 * What an agent does with it, as @allo/client does: the frame's bytes (as `ws` hands them over) to text, the validated
 * parse with the client's limits for place messages, then a WorldMirror built from it (entities announced).
 */
export function decodeFullState(bytes: Buffer): WorldMirror {
  const parsed = parsePlaceMessage(frameText(bytes), PLACE_MESSAGE_LIMITS);
  if (!parsed.ok || parsed.value.kind !== "state")
    throw new Error(`full state did not parse: ${parsed.ok ? parsed.value.kind : parsed.error}`);
  const mirror = new WorldMirror();
  mirror.apply(parsed.value.state);
  return mirror;
}

/** Times each fn in turn, round after round (gc before each), so load and collections fall on all alike. */
function sampleInterleaved(fns: (() => unknown)[], samples: number, warmup = 2): number[][] {
  const out = fns.map((): number[] => []);
  for (let round = -warmup; round < samples; round++) {
    fns.forEach((fn, i) => {
      gc();
      const t0 = performance.now();
      fn();
      if (round >= 0) out[i].push(performance.now() - t0);
    });
  }
  return out;
}

/** A place-like patch pipeline: one ChangeLog, ticks that move entities, patches composed from a base. */
class AlloPatcher {
  log = new ChangeLog(64);
  revision = 1;
  constructor(readonly world: Map<string, Entity>) {}
  tick(ids: string[], t: number, rounded: boolean): void {
    const changes: ChangeSet = new Map();
    ids.forEach((id, i) => {
      const m = movedMatrix(i, t);
      const components = this.world.get(id)!.components;
      // As the place's World does: the change-set keeps the earlier value, the patch is diffed from it.
      const before = components.transform as unknown as Json;
      components.transform = { matrix: rounded ? round6(m) : m };
      markComponent(changes, id, "transform", before);
    });
    const from = this.revision++;
    this.log.record(from, this.revision, changes);
  }
  patchFrom(base: number): string {
    const changes = this.log.compose(base);
    if (!changes) throw new Error(`revision ${base} is not kept`);
    const entities = entitiesPatch(changes, (id) => this.world.get(id));
    return JSON.stringify({ patch_style: "merge", patch_from: base, revision: this.revision, entities });
  }
}

function patchFigures(n: number, samples: number): Figure[] {
  const changes = Math.max(1, n / 100);
  const out: Figure[] = [];
  const floor = dirtyFloor(makeWorld(n), changes, samples);
  const floorFig = { name: "dirty floor", median: summarize(floor.ms).median };

  // Allo: bytes at ack delay 0, 1, 3 ticks; full precision and 1e-6.
  const allo = new AlloPatcher(makeWorld(n));
  const ids = pickIds(allo.world, changes);
  // Each tick moves a different 1 %, so a lagging agent's patch carries every tick it missed.
  for (let t = 1; t <= 5; t++) allo.tick(pickIds(allo.world, changes, t), t, false);
  const bytesAt = (lag: number) => Buffer.byteLength(allo.patchFrom(allo.revision - 1 - lag));
  const perMoved = bytesAt(0) / changes;
  out.push(
    figure(`${n / 1000}k @1 %: Allo patch bytes per moved entity`, "B", perMoved, { goal: { op: "<=", value: 150 } }),
  );
  out.push(
    figure(`${n / 1000}k @1 %: Allo patch bytes, ack lag 0/1/3`, "B", bytesAt(0), {
      note: `lag 1: ${bytesAt(1)} B, lag 3: ${bytesAt(3)} B (a different 1 % moves each tick)`,
    }),
  );
  const rounded = new AlloPatcher(makeWorld(n));
  rounded.tick(ids, 1, true);
  rounded.tick(ids, 2, true);
  const roundedPerMoved = Buffer.byteLength(rounded.patchFrom(rounded.revision - 1)) / changes;
  out.push(
    figure(`${n / 1000}k @1 %: Allo, matrices rounded to 1e-6, per moved entity`, "B", roundedPerMoved, {
      goal: { op: "<=", value: 150 },
    }),
  );

  // Allo: time per tick's shared patch (mark + record + compose + entitiesPatch + stringify) vs the floor.
  let t = 10;
  const ms = sampleSync(() => {
    allo.tick(ids, ++t, false);
    allo.patchFrom(allo.revision - 1);
  }, samples);
  out.push(figure(`${n / 1000}k @1 %: Allo patch build`, "ms", ms, { baseline: floorFig }));

  // Colyseus: same moves, element-wise matrix writes, one encode for all clients.
  for (const precision of ["float64", "float32"] as const) {
    const cy = colyseusWorld(makeWorld(n), precision);
    cy.encoder.encode();
    cy.encoder.discardChanges();
    let bytes = 0;
    let ct = 10;
    const cms = sampleSync(() => {
      ct++;
      ids.forEach((id, i) => cy.setMatrix(id, movedMatrix(i, ct)));
      bytes = cy.encoder.encode().length;
      cy.encoder.discardChanges();
    }, samples);
    out.push(
      figure(`${n / 1000}k @1 %: Colyseus ${precision} patch bytes per moved entity`, "B", bytes / changes, {
        baseline: { name: "Allo", median: perMoved },
      }),
    );
    out.push(figure(`${n / 1000}k @1 %: Colyseus ${precision} mutate+encode`, "ms", cms, { baseline: floorFig }));
  }
  return out;
}

function fullStateFigures(n: number, samples: number): Figure[] {
  const out: Figure[] = [];
  const world = makeWorld(n);
  const stringify = { name: "JSON.stringify", median: summarize(stringifyWorld(world, samples)).median };
  const place = placeWorld(world);
  gc();
  // A join after a quiet spell: nothing kept, a new buffer (on these VMs its page faults cost ~3 ms a MB).
  let bytes: Buffer = Buffer.alloc(0);
  const cold = sampleSync(() => (bytes = encodeFullState(place)), samples, 2);
  if (
    bytes.toString() !==
    JSON.stringify({ patch_style: "set", entities: place.toDocument().entities, revision: place.revision })
  )
    throw new Error("set frame differs from the world");
  bytes = Buffer.from(bytes);
  // A join within SPARE_KEEP_MS of the last one, after the history moved past it: every entity, into the spare block.
  const frames = new SetFrames(place);
  frames.encode();
  const enc = sampleSync(
    () => {
      frames.forget();
      return frames.encode();
    },
    samples,
    2,
  );
  // The next joiner, a revision later: the kept frame rebuilt from the 1 % that moved.
  const moved = pickIds(world, Math.max(1, n / 100));
  let t = 0;
  const next = sampleSync(
    () => {
      t++;
      moved.forEach((id, i) => place.setComponent(id, "transform", { matrix: movedMatrix(i, t) }));
      place.commit();
      frames.prune();
      return frames.encode();
    },
    samples,
    2,
  );
  gc();
  // Interleaved, so load and GC fall on each alike: the client's decode, the bare parse of the same text, and the
  // old unvalidated floor (UTF-8 toString + parse + Map).
  const text = bytes.toString();
  const [dec, parse, rawDec] = sampleInterleaved(
    [
      () => decodeFullState(bytes),
      () => JSON.parse(text),
      () => new Map(Object.entries((JSON.parse(bytes.toString()) as { entities: Record<string, Entity> }).entities)),
    ],
    samples,
  );
  const mirror = decodeFullState(bytes);
  if (mirror.entities.size !== n) throw new Error(`decoded ${mirror.entities.size} entities, expected ${n}`);
  const parseFig = { name: "JSON.parse", median: summarize(parse).median };
  const big = n >= 10_000;
  out.push(
    figure(`${n / 1000}k full state: Allo encode, whole world, new buffer`, "ms", cold, {
      baseline: stringify,
      note: `${(bytes.length / 1e6).toFixed(2)} MB; the place's SetFrames with nothing held (first join, or none for ${SPARE_KEEP_MS / 1000} s)`,
    }),
  );
  out.push(
    figure(`${n / 1000}k full state: Allo encode, whole world`, "ms", enc, {
      baseline: stringify,
      goal: big ? { op: "<=", value: 35 } : undefined,
      note: "every entity stringified, into the block of an earlier frame",
    }),
  );
  out.push(
    figure(`${n / 1000}k full state: Allo encode, next joiner after 1 % moved`, "ms", next, {
      baseline: stringify,
      goal: big ? { op: "<=", value: 35 } : undefined,
      note: "rebuilt from the kept frame: unchanged bytes copied, 1 % stringified (includes the moves and commit)",
    }),
  );
  out.push(
    figure(`${n / 1000}k full state: JSON.parse of the frame's text`, "ms", parse, {
      baseline: stringify,
      note: "the floor of any JSON decode",
    }),
  );
  out.push(
    figure(`${n / 1000}k full state: Allo decode (validated)`, "ms", dec, {
      baseline: parseFig,
      goal: big ? { op: "<=", value: 45 } : undefined,
      note: "as @allo/client: ws's bytes → frameText → parsePlaceMessage (client limits) → WorldMirror.apply",
    }),
  );
  out.push(
    figure(`${n / 1000}k full state: JSON.parse + Map, unvalidated`, "ms", rawDec, {
      baseline: parseFig,
      goal: big ? { op: "<=", value: 45 } : undefined,
      note: "UTF-8 toString, JSON.parse, a Map of the entities",
    }),
  );
  const alloEnc = { name: "Allo", median: summarize(enc).median };
  const alloDec = { name: "Allo", median: summarize(dec).median };

  const cy = colyseusWorld(world, "float64");
  gc();
  let cyBytes: Uint8Array = new Uint8Array();
  const cyEnc = sampleSync(() => (cyBytes = copyBytes(cy.encoder.encodeAll())), Math.max(3, samples >> 1), 1);
  gc();
  const cyDec = sampleSync(() => cy.newDecoder().decode(cyBytes), Math.max(3, samples >> 1), 1);
  const check = cy.newDecoder();
  check.decode(cyBytes);
  if ((check.state as { entities: Map<string, unknown> }).entities.size !== n)
    throw new Error("Colyseus decode lost entities");
  out.push(
    figure(`${n / 1000}k full state: Colyseus f64 encodeAll`, "ms", cyEnc, {
      baseline: alloEnc,
      note: `${(cyBytes.length / 1e6).toFixed(2)} MB`,
    }),
  );
  out.push(figure(`${n / 1000}k full state: Colyseus f64 decode`, "ms", cyDec, { baseline: alloDec }));
  return out;
}

export async function run(profile: Profile): Promise<BenchReport> {
  const full = profile === "full";
  const sizes = full ? [1_000, 10_000, 50_000] : [1_000, 10_000];
  const figures: Figure[] = [];
  for (const n of sizes) {
    figures.push(...patchFigures(n, full ? 51 : 15));
    gc();
    figures.push(...fullStateFigures(n, full ? 9 : 5));
    gc();
  }
  const report: BenchReport = { bench: "codec", profile, figures };
  printReport(report);
  return report;
}
