// 100,000 generated and mutated messages per run (random JSON, mutations of valid messages, boundary values; docs/protocol.md §2.1), from
// four announced agents — hostile values included: huge and non-finite numbers in every numeric field (poses, grabs,
// animations, matrices), prototype keys, deep nesting — with the world's invariants (no non-finite number among
// them) checked after every batch and an observer's mirror compared with the place's world. The rate and bad-frame limits are lifted here so the fuzzer reaches the handlers; the
// limits themselves are tested in flood.test.ts. Seed: ALLO_FUZZ_SEED (printed on failure), size: ALLO_FUZZ_COUNT.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlace } from "@allo/place/testing";
import { requestHeadOf } from "@allo/protocol";
import type { Place } from "@allo/place";
import { Fuzzer } from "./lib/fuzz.ts";
import { WireAgent } from "./lib/wire-agent.ts";
import { checkWorldInvariants } from "./lib/invariants.ts";
import { assertMirrorEqual, assertPlaceHealthy } from "./lib/healthy.ts";

const TOTAL = Number(process.env.ALLO_FUZZ_COUNT ?? 100_000);
const SEED = Number(process.env.ALLO_FUZZ_SEED ?? 20261123);
const AGENTS = 4;
const BATCH = 1000;

let place: Place;
let observer: WireAgent;

beforeAll(async () => {
  place = await startTestPlace({
    limits: { messagesPerSecond: 1e9, messageBurst: 1e9, badFramesPerMinute: 1e9 },
  });
  observer = await WireAgent.connect(place.url, { name: "observer" });
});
afterAll(async () => {
  observer?.terminate();
  await place?.close();
});

class AssertionError extends Error {}

/**
 * The request id of a frame the place must answer at once: readable as a request (JSON, string sender, request id
 * and name, whatever else is wrong) and addressed to the place — launch_app aside, whose answer comes later.
 */
function requestToPlace(text: string): string | undefined {
  if (Buffer.byteLength(text) > 1024 * 1024) return undefined; // closes the connection instead
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const head = requestHeadOf(value);
  return head && head.receiver === "place" && head.name !== "launch_app" ? head.requestId : undefined;
}

function ownedBy(agent: WireAgent): string[] {
  for (const a of place.agents.values()) if (a.avatarId === agent.avatarId) return [...a.owned];
  return [];
}

describe("the fuzzer", () => {
  it(`sends ${TOTAL.toLocaleString("en-US")} hostile messages without a crash, a broken invariant or a diverging mirror`, async () => {
    const fuzzer = new Fuzzer(SEED);
    const agents: WireAgent[] = [];
    for (let i = 0; i < AGENTS; i++) agents.push(await WireAgent.connect(place.url, { name: `fuzz${i}` }));
    const expected = agents.map(() => new Map<string, number>());
    let answered = 0;
    let reconnects = 0;
    let recycled = 0;
    let sent = 0;
    const started = performance.now();
    for (let batch = 0; sent < TOTAL; batch++) {
      const owned = agents.map(ownedBy);
      for (let i = 0; i < AGENTS; i++) {
        const others = [
          observer.avatarId,
          ...owned
            .filter((_, j) => j !== i)
            .flat()
            .slice(0, 50),
        ];
        const ctx = { own: owned[i].slice(0, 50), others };
        expected[i].clear();
        for (let k = 0; k < BATCH / AGENTS && sent < TOTAL; k++, sent++) {
          const text = fuzzer.next(ctx);
          agents[i].sendRaw(text);
          const id = requestToPlace(text);
          if (id !== undefined) expected[i].set(id, (expected[i].get(id) ?? 0) + 1);
        }
      }
      // Barrier: each socket is handled in order, so an answered list_agents means its batch was processed.
      for (let i = 0; i < AGENTS; i++) {
        try {
          if (agents[i].closeCode !== undefined) throw new Error("closed");
          await agents[i].place(["list_agents"], 20_000);
          // Every readable request to the place was answered (only a closed connection excuses it: caught below).
          for (const [id, count] of expected[i]) {
            if ((agents[i].responsesById.get(id) ?? 0) < count)
              throw new AssertionError(
                `seed ${SEED}, batch ${batch}: the request ${JSON.stringify(id)} to the place was never answered`,
              );
          }
          agents[i].responsesById.clear();
          for (const count of expected[i].values()) answered += count;
        } catch (e) {
          if (e instanceof AssertionError) throw e;
          await agents[i].closed;
          agents[i] = await WireAgent.connect(place.url, { name: `fuzz${i}` });
          reconnects++;
        }
      }
      if (process.env.ALLO_FUZZ_DEBUG)
        console.log(
          `batch ${batch} at ${((performance.now() - started) / 1000).toFixed(1)} s, world ${place.world.size}`,
        );
      const problems = checkWorldInvariants(place.world.toDocument() as never);
      if (problems.length) throw new Error(`seed ${SEED}, batch ${batch}: ${problems.slice(0, 5).join("; ")}`);
      if (batch % 20 === 19) await assertMirrorEqual(place, observer);
      if (place.world.size > 400) {
        // Keep the world small enough to check after every batch: agents leaving take their entities along.
        for (let i = 0; i < AGENTS; i++) {
          agents[i].terminate();
          await agents[i].closed;
          agents[i] = await WireAgent.connect(place.url, { name: `fuzz${i}` });
          recycled++;
        }
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `fuzz: ${sent} messages in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s), ${answered} readable requests to the place all answered, ${reconnects} reconnects, ${recycled} recycled, world of ${place.world.size} entities`,
    );
    expect(answered, "the fuzzer reached the place with requests").toBeGreaterThan(TOTAL / 20);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await assertPlaceHealthy(place.url, observer, () => place.world.toDocument());
    await assertMirrorEqual(place, observer);
    for (const a of agents) a.terminate();
  }, 600_000);
});
