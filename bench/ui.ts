// The Solid renderer's cost against a real place: time and messages to mount 1,000 and 10,000 entities, and
// signal writes turned into change_components — each next to the same work sent by hand through @allo/client in
// the same run (ratio = renderer / by hand). Run: `npx tsx --import @allo/ui/register bench/ui.ts [quick|full]`.
import { pathToFileURL } from "node:url";
import { createComponent, createSignal, For, type Accessor, type Setter } from "solid-js";
import { connect, type AlloClient } from "@allo/client";
import { startTestPlace } from "@allo/place/testing";
import type { EntitySpec, Json } from "@allo/protocol";
import { createElement, effect, insert, render, setProp, type AppHandle, type EntityNode } from "@allo/ui";
import {
  figure,
  gc,
  printReport,
  sleep,
  summarize,
  type BenchReport,
  type Figure,
  type Profile,
} from "./lib/report.ts";

type Props = Record<string, Json>;
const transformAt = (i: number, j = 0): Json => ({
  matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, i * 0.01, j * 0.01, 0, 1],
});
const itemProps = (i: number, j = 0): Props => ({ transform: transformAt(i, j), material: { color: [1, 0, 0, 1] } });

/** <entity {...props}>{children()}</entity> without JSX (this file is plain .ts). */
function entity(props: Props, children?: () => unknown): EntityNode {
  const node = createElement("entity") as EntityNode;
  for (const [k, v] of Object.entries(props)) setProp(node, k, v);
  if (children) insert(node, children as () => never);
  return node;
}

/** 1,000: a flat list under the avatar; 10,000: 100 rows of 100 (rows are what apps build: grids, tables). */
function shape(n: number): { rows: number; perRow: number } {
  return n <= 1000 ? { rows: 1, perRow: n } : { rows: Math.ceil(n / 100), perRow: 100 };
}

/** <For each={each}>{child}</For> without JSX. */
function forEach(each: number[], child: (i: number) => unknown): unknown {
  return createComponent(For as never, { each, children: child } as never);
}

function mountApp(n: number): () => never {
  const { rows, perRow } = shape(n);
  const rowIds = Array.from({ length: rows }, (_, r) => r);
  const itemIds = Array.from({ length: perRow }, (_, i) => i);
  return () =>
    entity({}, () =>
      rows === 1
        ? forEach(itemIds, (i) => entity(itemProps(i)))
        : forEach(rowIds, (r) =>
            entity({ transform: transformAt(0, r) }, () => forEach(itemIds, (i) => entity(itemProps(i, r)))),
          ),
    ) as never;
}

function specOf(n: number): EntitySpec[] {
  const { rows, perRow } = shape(n);
  const items = (r: number) => Array.from({ length: perRow }, (_, i) => itemProps(i, rows === 1 ? 0 : r) as EntitySpec);
  if (rows === 1) return items(0);
  return Array.from(
    { length: rows },
    (_, r) => ({ transform: transformAt(0, r), children: items(r) }) as unknown as EntitySpec,
  );
}

/** How many entities descend from `rootId` in a mirror. */
function descendants(entities: ReadonlyMap<string, { components: Record<string, unknown> }>, rootId: string): number {
  const children = new Map<string, string[]>();
  for (const [id, e] of entities) {
    const parent = (e.components.relationships as { parent?: string } | undefined)?.parent;
    if (parent) children.set(parent, [...(children.get(parent) ?? []), id]);
  }
  let count = 0;
  const stack = [...(children.get(rootId) ?? [])];
  while (stack.length) {
    count++;
    stack.push(...(children.get(stack.pop()!) ?? []));
  }
  return count;
}
const worldMessages = (c: AlloClient) =>
  (c.stats.sentByName.spawn_entity ?? 0) +
  (c.stats.sentByName.change_components ?? 0) +
  (c.stats.sentByName.remove_entity ?? 0);

async function mountFigures(url: string, n: number, samples: number): Promise<Figure[]> {
  const ui: number[] = [];
  const byHand: number[] = [];
  let uiMessages = 0;
  let uiBytes = 0;
  let handMessages = 0;
  for (let s = -1; s < samples; s++) {
    // s = -1: one untimed warm-up of both sides.
    gc();
    const t0 = performance.now();
    const app: AppHandle = await render(mountApp(n), {
      url,
      exitOnQuit: false,
      logLevel: "warn",
      onDisconnect: () => {},
    });
    await app.settled();
    const client = app.client as unknown as AlloClient;
    // Done when the app's own mirror holds them all (the same criterion as by hand below).
    await client.waitForWorld((w) => descendants(w.entities, app.avatarId) >= n, { timeout: 30_000 });
    if (s >= 0) ui.push(performance.now() - t0);
    uiMessages = worldMessages(client);
    uiBytes = client.stats.bytesSent;
    await app.dispose();

    // By hand: connect, then spawn the same specs under the avatar, one spawn_entity per row (as the renderer does).
    gc();
    const t1 = performance.now();
    const hand = await connect(url, { identity: { display_name: "by hand" } });
    const specs = specOf(n);
    const budget = 700 * 1024;
    // Flat lists go in chunks under a holder entity so one message stays under the place's 1 MiB frame limit.
    if (specs.length > 100 && JSON.stringify(specs).length > budget) throw new Error("by-hand spec too large");
    if (shape(n).rows === 1)
      await hand.spawnEntity({ relationships: { parent: hand.avatarId }, children: specs } as EntitySpec);
    else
      await Promise.all(
        specs.map((spec) => hand.spawnEntity({ ...spec, relationships: { parent: hand.avatarId } } as EntitySpec)),
      );
    await hand.waitForWorld((w) => descendants(w.entities, hand.avatarId) >= n, { timeout: 30_000 });
    if (s >= 0) byHand.push(performance.now() - t1);
    handMessages = worldMessages(hand);
    await hand.close();
  }
  const handFig = { name: "by hand", median: summarize(byHand).median };
  return [
    figure(`mount ${n.toLocaleString("en-US")}: render → all spawned`, "ms", ui, {
      baseline: handFig,
      note: `${uiMessages} world messages (${(uiBytes / 1e6).toFixed(2)} MB sent incl. announce) vs ${handMessages} by hand; includes connect + announce on both sides`,
    }),
    figure(`mount ${n.toLocaleString("en-US")}: by hand (@allo/client)`, "ms", byHand),
  ];
}

/** Resolves once the microtask queue has drained: the client writes the frames of one turn together at its end. */
const microtasksDone = () => new Promise<void>((resolve) => process.nextTick(resolve));

/**
 * Signal writes on `entities` entities (`writesPerEntity` each, in one tick) turned into one change_components per
 * entity. Two costs: local (writes → flush → messages handed to the socket) and through to the place's answers. The
 * by-hand baseline does the same writes into plain objects and sends the same messages through @allo/client.
 */
async function updateFigures(
  url: string,
  entities: number,
  writesPerEntity: number,
  rounds: number,
  gapMs: number,
): Promise<Figure[]> {
  const signals: Array<[Accessor<number>, Setter<number>]> = Array.from({ length: entities }, () => createSignal(0));
  const app = await render(
    () =>
      entity({}, () =>
        signals.map(([value]) => {
          const node = entity({ transform: transformAt(0) });
          effect(() => setProp(node, "text", { string: `v ${value()}` }));
          return node;
        }),
      ) as never,
    { url, exitOnQuit: false, logLevel: "warn", onDisconnect: () => {} },
  );
  await app.settled();
  const client = app.client as unknown as AlloClient;
  const ids = [...app.sync.byId.keys()].filter((id) => id !== app.avatarId);
  const sent = () => client.stats.sentByName.change_components ?? 0;
  const local: number[] = [];
  const answered: number[] = [];
  const writeOnly: number[] = [];
  let messagesPerRound = 0;
  let v = 0;
  // Round -1 warms both sides up, untimed.
  for (let r = -1; r < rounds; r++) {
    const m0 = sent();
    const t0 = performance.now();
    for (let w = 0; w < writesPerEntity; w++) {
      v++;
      for (const [, set] of signals) set(v);
    }
    const t1 = performance.now();
    await microtasksDone(); // the flush (queued by the first write) has run and its frames were written to the socket
    const t2 = performance.now();
    if (sent() - m0 !== entities)
      throw new Error(`expected ${entities} change_components sent in the flush, got ${sent() - m0}`);
    await app.settled();
    if (r >= 0) {
      writeOnly.push(t1 - t0);
      local.push(t2 - t0);
      answered.push(performance.now() - t0);
    }
    messagesPerRound = sent() - m0;
    await sleep(gapMs); // let the message budget refill (docs/protocol.md §5 rate limit): not timed
  }
  // By hand: the same writes into plain objects, then one change_components per entity with the final value.
  const byHandLocal: number[] = [];
  const byHand: number[] = [];
  const texts: Array<Record<string, Json>> = ids.map(() => ({}));
  for (let r = -1; r < rounds; r++) {
    const t0 = performance.now();
    for (let w = 0; w < writesPerEntity; w++) {
      v++;
      for (const text of texts) text.text = { string: `v ${v}` };
    }
    const answers = ids.map((id, i) => client.changeComponents(id, texts[i]));
    await microtasksDone();
    const t1 = performance.now();
    await Promise.all(answers);
    if (r >= 0) {
      byHandLocal.push(t1 - t0);
      byHand.push(performance.now() - t0);
    }
    await sleep(gapMs);
  }
  await app.dispose();
  const writes = entities * writesPerEntity;
  const what = `${writes.toLocaleString("en-US")} signal writes on ${entities === 1 ? "1 entity" : `${entities} entities`}`;
  const messages = `${entities} change_components`;
  const handLocalFig = { name: "by hand", median: summarize(byHandLocal).median };
  const handFig = { name: "by hand", median: summarize(byHand).median };
  const perSecond = (ms: number[]) => ms.map((t) => (writes / t) * 1000);
  const figures = [
    figure(`${what} → ${messages} sent (local)`, "ms", local, {
      baseline: handLocalFig,
      goal: entities === 1 ? { op: "<=", value: 1 } : undefined,
      note: `${messagesPerRound} change_components per round (one per entity); issue #7: 1,000 prop changes → 1 message ≤ 1 ms`,
    }),
    figure(`by hand: the same writes into objects, ${messages} sent`, "ms", byHandLocal),
    figure(`${what} → messages answered`, "ms", answered, { baseline: handFig }),
    figure(`by hand: ${messages} answered (@allo/client)`, "ms", byHand),
  ];
  if (entities > 1) {
    figures.push(
      figure("signal writes per second, reactive part only (writes → dirty marks)", "writes/s", perSecond(writeOnly)),
      figure("signal writes per second, through to the place's answers", "writes/s", perSecond(answered)),
    );
  }
  return figures;
}

export async function run(profile: Profile = "quick"): Promise<BenchReport> {
  const full = profile === "full";
  const place = await startTestPlace();
  const figures: Figure[] = [];
  try {
    figures.push(...(await mountFigures(place.url, 1_000, full ? 9 : 5)));
    figures.push(...(await mountFigures(place.url, 10_000, full ? 5 : 3)));
    figures.push(...(await updateFigures(place.url, 20, 50, full ? 30 : 10, 400)));
    figures.push(...(await updateFigures(place.url, 1, 1000, full ? 100 : 40, 20)));
  } finally {
    await place.close();
  }
  const report: BenchReport = { bench: "ui", profile, figures };
  printReport(report);
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const profile = process.argv[2] === "full" ? "full" : "quick";
  run(profile).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
