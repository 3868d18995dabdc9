// A bug in one handler, hook or simulation step must never crash the place nor stop it serving others.
import { afterEach, describe, expect, it } from "vitest";
import { placeInteractions } from "../src/interactions/index.ts";
import { documentOf, setup, spawn } from "./helpers.ts";

afterEach(() => {
  delete placeInteractions.test_explode;
  delete placeInteractions.test_reject;
  delete placeInteractions.test_later;
});

describe("guards", () => {
  it("answers a request whose handler throws, and keeps serving", async () => {
    placeInteractions.test_explode = () => {
      throw new Error("boom");
    };
    placeInteractions.test_reject = async () => {
      throw new TypeError("async boom");
    };
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    expect(await a.request(["test_explode"])).toEqual(["test_explode", "error", "internal error: boom"]);
    expect(await a.request(["test_reject"])).toEqual(["test_reject", "error", "internal error: async boom"]);
    a.oneway(["test_explode"]);
    const id = await spawn(b);
    await a.until(() => a.mirror?.entities[id] !== undefined);
    expect(a.mirror).toEqual(documentOf(place));
  });

  it("answers a request still waiting when the place closes", async () => {
    placeInteractions.test_later = () => new Promise(() => undefined);
    const {
      place,
      agents: [a],
    } = await setup(1);
    const waiting = a.request(["test_later"]);
    await a.request(["list_agents"]);
    await place.close();
    expect(await waiting).toEqual(["test_later", "error", "place is closing"]);
  });

  it("survives a hook that throws", async () => {
    const {
      place,
      agents: [a],
      connect,
    } = await setup(1, {
      setup: (ctx) => {
        ctx.hooks.onAgentAnnounced.push(() => {
          throw new Error("hook bug");
        });
        ctx.hooks.onEntityRemoved.push(() => {
          throw new Error("hook bug");
        });
      },
    });
    const b = await connect("b");
    const id = await spawn(b);
    expect(await b.request(["remove_entity", id])).toEqual(["remove_entity", "ok"]);
    await a.until(() => a.mirror?.revision === place.world.revision);
    expect(a.mirror).toEqual(documentOf(place));
  });

  it("keeps ticking when the simulation throws", async () => {
    let steps = 0;
    const {
      place,
      agents: [a],
    } = await setup(1, {
      setup: (ctx) => {
        ctx.simulation = {
          step() {
            steps++;
            throw new Error("simulation bug");
          },
        };
      },
      limits: { clockIntervalMs: 30 },
    });
    const clock = () =>
      (a.mirror?.entities.place?.components as { clock?: { time: number } } | undefined)?.clock?.time ?? 0;
    const first = clock();
    await a.until(() => clock() > first && steps > 3);
    expect(place.stats().ticks).toBeGreaterThanOrEqual(steps);
  });
});
