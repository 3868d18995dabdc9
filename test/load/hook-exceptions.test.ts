// Exceptions thrown inside every place hook (as Colyseus tests each lifecycle hook in its
// ExceptionHandling.test.ts): the simulation step, every lifecycle hook, a binary channel handler, the
// subscription router and the HTTP handler all throw, and the place keeps ticking, answering and syncing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlace } from "@allo/place/testing";
import type { Place, PlaceContext } from "@allo/place";
import { sleep } from "../../bench/lib/report.ts";
import { WireAgent } from "./lib/wire-agent.ts";
import { assertMirrorEqual, assertPlaceHealthy } from "./lib/healthy.ts";

const thrown = new Map<string, number>();
function boom(where: string): never {
  thrown.set(where, (thrown.get(where) ?? 0) + 1);
  throw new Error(`injected failure in ${where}`);
}

let place: Place;
let observer: WireAgent;

beforeAll(async () => {
  place = await startTestPlace({
    simulation: { step: () => boom("simulation.step") },
    subscriptions: { match: () => boom("subscriptions.match") },
    httpHandler: () => boom("httpHandler"),
    setup(ctx: PlaceContext) {
      ctx.hooks.onAgentAnnounced.push(() => boom("onAgentAnnounced"));
      ctx.hooks.onAgentLeft.push(() => boom("onAgentLeft"));
      ctx.hooks.onEntityRemoved.push(() => boom("onEntityRemoved"));
      ctx.hooks.onAvatarToken.push(() => boom("onAvatarToken"));
      ctx.hooks.onClose.push(() => boom("onClose"));
      ctx.binaryHandlers.set(3, () => boom("binary channel 3"));
    },
  });
  observer = await WireAgent.connect(place.url, { name: "observer" });
});
afterAll(async () => {
  observer?.terminate();
  await place?.close();
});

describe("exceptions inside every place hook", () => {
  it("never stop the tick, the dispatcher or the sync", async () => {
    const app = await WireAgent.connect(place.url, { name: "app", avatar: { avatar: { token: "launch-token-1" } } });
    const spawned = await app.place([
      "spawn_entity",
      { transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }, children: [{}] },
    ]);
    expect(spawned[0]).toBe("spawn_entity");
    const removed = await app.place(["remove_entity", spawned[1] as string, "cascade"]);
    expect(removed).toEqual(["remove_entity", "ok"]);
    app.sendRaw(["interaction", "publication", app.avatarId, "", "", ["news", 1]]);
    app.ws.send(Buffer.from([3, 1, 2, 3]), { binary: true });
    const http = await fetch(place.url.replace("ws:", "http:") + "anything");
    expect(http.status).toBe(500);
    app.close();
    await app.closed;
    const hooks = [
      "simulation.step",
      "subscriptions.match",
      "httpHandler",
      "onAvatarToken",
      "onAgentAnnounced",
      "onAgentLeft",
      "onEntityRemoved",
      "binary channel 3",
    ];
    // Ticks with the failing simulation, and the place noticing the app left: wait until every hook has thrown.
    for (const deadline = Date.now() + 15_000; hooks.some((where) => !thrown.get(where)) && Date.now() < deadline;)
      await sleep(20);
    for (const where of hooks) expect(thrown.get(where), where).toBeGreaterThan(0);
    await assertPlaceHealthy(place.url, observer, () => place.world.toDocument());
    await assertMirrorEqual(place, observer);
    const ticks = place.stats().ticks;
    for (const deadline = Date.now() + 15_000; place.stats().ticks <= ticks && Date.now() < deadline;) await sleep(20);
    expect(place.stats().ticks).toBeGreaterThan(ticks); // still ticking
  });

  it("closes cleanly even when onClose throws", async () => {
    const p = await startTestPlace({ setup: (ctx) => ctx.hooks.onClose.push(() => boom("onClose")) });
    const a = await WireAgent.connect(p.url);
    await p.close();
    expect(await a.closed).toBe(1001);
    expect(thrown.get("onClose")).toBeGreaterThan(0);
  });
});
