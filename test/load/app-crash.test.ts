// kill -9 of app processes while requests to them are pending (docs/protocol.md §2 rule 5, §5.2 "Abrupt disconnect"):
// every pending request is answered with an error, the apps' entities leave the world, and viewers see it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlace } from "@allo/place/testing";
import type { Place } from "@allo/place";
import { startChild, type ChildHandle } from "../../bench/lib/child.ts";
import { WireAgent } from "./lib/wire-agent.ts";
import { assertMirrorEqual, assertPlaceHealthy } from "./lib/healthy.ts";

let place: Place;
let observer: WireAgent;
let requester: WireAgent;

beforeAll(async () => {
  place = await startTestPlace();
  observer = await WireAgent.connect(place.url, { name: "observer" });
  requester = await WireAgent.connect(place.url, { name: "requester" });
});
afterAll(async () => {
  observer?.terminate();
  requester?.terminate();
  await place?.close();
});

async function startApp(index: number): Promise<{ child: ChildHandle; entities: string[] }> {
  const child = startChild(new URL("./lib/app-swarm.ts", import.meta.url), [place.url]);
  await child.ready;
  const [made] = await child.call<{ avatarId: string; entities: string[] }[]>("connect", {
    count: 1,
    entities: 5,
    first: index,
    silent: true,
  });
  return { child, entities: [made.avatarId, ...made.entities] };
}

describe("apps killed with SIGKILL mid-request", () => {
  it("answers every pending request with an error and removes the apps' entities, round after round", async () => {
    for (let round = 0; round < 3; round++) {
      const apps = await Promise.all([0, 1, 2, 3].map((i) => startApp(round * 10 + i)));
      const targets = apps.flatMap((a) => a.entities);
      await observer.until((o) => targets.every((id) => o.entities.has(id)), 10_000);
      const answers = targets.flatMap((target) =>
        Array.from({ length: 2 }, () => requester.request(requester.avatarId, target, ["poke", true], 30_000)),
      );
      await observer.until(() => place.stats().pendingRequests === answers.length, 10_000);

      for (const app of apps) expect(await app.child.kill("SIGKILL")).toBe(null);
      const bodies = await Promise.all(answers);
      expect(bodies.every((b) => b[0] === "poke" && b[1] === "error")).toBe(true);
      expect(place.stats().pendingRequests).toBe(0);
      await observer.until((o) => targets.every((id) => !o.entities.has(id)), 5000);
      for (const id of targets) expect(place.world.has(id)).toBe(false);
    }
    expect(place.agents.size).toBe(2);
    await assertPlaceHealthy(place.url, observer, () => place.world.toDocument());
    await assertMirrorEqual(place, observer);
  }, 60_000);
});
