// A reconnect storm (docs/performance.md, "Faults"): 200 agents drop at once and reconnect within a second,
// each needing the full state of a 1k-entity world. Every one must resync to the place's exact world.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type ChildHandle } from "../../bench/lib/child.ts";
import { sleep } from "../../bench/lib/report.ts";
import { WireAgent } from "./lib/wire-agent.ts";
import { mirrorDifferences } from "./lib/invariants.ts";
import { documentAtAgentRevision } from "./lib/healthy.ts";

const AGENTS = 200;
let host: ChildHandle;
let url: string;

beforeAll(async () => {
  host = startChild(new URL("./lib/place-host.ts", import.meta.url));
  url = ((await host.ready) as { url: string }).url;
  await host.call("scenery", { n: 1000 });
});
afterAll(async () => {
  await host?.kill();
});

type Stats = {
  place: { framesEncoded: number; agents: number };
  flush: { p99: number; max: number };
  eventLoopDelayP99Ms: number;
};

describe("a reconnect storm", () => {
  it(`resyncs ${AGENTS} agents that reconnect within a second, each with the full state`, async () => {
    const first = await Promise.all(
      Array.from({ length: AGENTS }, (_, i) => WireAgent.connect(url, { name: `storm${i}`, mirror: false })),
    );
    await Promise.all(first.map((a) => a.until((x) => x.stats.sets === 1, 60_000)));
    for (const a of first) a.terminate();
    // The place has seen every one of them go (their avatars are gone) before the storm comes back.
    while ((await host.call<Stats>("stats")).place.agents > 0) await sleep(50);
    await host.call("stats", { reset: true });
    const before = await host.call<Stats>("stats");

    const started = performance.now();
    const second: Promise<WireAgent>[] = [];
    for (let i = 0; i < AGENTS; i++) {
      // Every agent gets and parses the full state; one in ten also keeps a mirror to compare with the place.
      second.push(WireAgent.connect(url, { name: `again${i}`, mirror: i % 10 === 0 }));
      if (i % 20 === 19) await sleep(90); // spread over ~1 s
    }
    const agents = await Promise.all(second);
    await Promise.all(agents.map((a) => a.until((x) => x.stats.sets === 1, 60_000)));
    const resyncMs = performance.now() - started;
    const during = await host.call<Stats>("stats");
    const fetchDocument = () => host.call<{ entities: Record<string, unknown>; revision: number }>("document");
    for (const a of agents) {
      const doc = await documentAtAgentRevision(a, fetchDocument);
      if (a.options.mirror === false) continue;
      expect(a.entities.size).toBe(1000 + AGENTS + 1);
      expect(mirrorDifferences(Object.fromEntries(a.entities), doc.entities)).toEqual([]);
    }
    console.log(
      `reconnect storm: ${AGENTS} agents resynced in ${(resyncMs / 1000).toFixed(2)} s; ` +
        `${during.place.framesEncoded - before.place.framesEncoded} frames encoded; flush p99 ${during.flush.p99.toFixed(1)} ms, max ${during.flush.max.toFixed(1)} ms; event-loop delay p99 ${during.eventLoopDelayP99Ms.toFixed(1)} ms`,
    );
    expect(during.place.agents).toBe(AGENTS);
    for (const a of agents) a.terminate();
  }, 240_000);
});
