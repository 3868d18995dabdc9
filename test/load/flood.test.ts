// Floods over the rate limit (docs/protocol.md §5: 200 messages/s, burst 400; 5 s over budget closes with 1008): the
// flooder's excess is dropped and it is cut off, while honest agents' requests are all answered and their mirrors
// stay exact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlace } from "@allo/place/testing";
import type { Place } from "@allo/place";
import { sleep } from "../../bench/lib/report.ts";
import { WireAgent } from "./lib/wire-agent.ts";
import { assertMirrorEqual, assertPlaceHealthy } from "./lib/healthy.ts";

let place: Place;
const honest: WireAgent[] = [];

beforeAll(async () => {
  place = await startTestPlace();
  for (let i = 0; i < 5; i++) honest.push(await WireAgent.connect(place.url, { name: `honest${i}` }));
});
afterAll(async () => {
  for (const a of honest) a.terminate();
  await place?.close();
});

describe("a flood over the rate limit", () => {
  it("drops the excess, closes the flooder with 1008, and answers every honest request", async () => {
    const flooder = await WireAgent.connect(place.url, { name: "flooder" });
    const [avatar] = [flooder.avatarId];
    // 10× the sustained budget: 2,000 messages a second of valid, cheap requests.
    const started = performance.now();
    let closedAfterMs = -1;
    void flooder.closed.then(() => (closedAfterMs = performance.now() - started));
    const flood = setInterval(() => {
      for (let i = 0; i < 20; i++)
        flooder.sendRaw(["interaction", "request", avatar, "place", `flood${i}`, ["list_agents"]]);
    }, 10);

    // Honest agents: 20 changes a second each, every one must be answered "ok".
    const entities = await Promise.all(
      honest.map(
        async (a) =>
          (
            await a.place(["spawn_entity", { transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] } }])
          )[1] as string,
      ),
    );
    const answers: Promise<unknown[]>[] = [];
    const honestTimer = setInterval(() => {
      honest.forEach((a, i) =>
        answers.push(
          a.place([
            "change_components",
            entities[i],
            "add_or_change",
            { counter: { at: performance.now() } },
            "remove",
            [],
          ]),
        ),
      );
    }, 50);

    await Promise.race([flooder.closed, sleep(9000)]);
    clearInterval(flood);
    clearInterval(honestTimer);
    const bodies = await Promise.all(answers);

    expect(flooder.closeCode).toBe(1008);
    console.log(
      `flooder closed after ${(closedAfterMs / 1000).toFixed(1)} s; ${bodies.length} honest requests answered`,
    );
    expect(bodies.every((b) => b[1] === "ok")).toBe(true);
    expect(bodies.length).toBeGreaterThan(100);
    await assertPlaceHealthy(place.url, honest[0], () => place.world.toDocument());
    for (const a of honest) await assertMirrorEqual(place, a);
  }, 30_000);
});
