import { describe, expect, it } from "vitest";
import { documentOf, rawConnect, rng, setup, spawn } from "./helpers.ts";
import type { RawAgent } from "../src/testing.ts";

const states = (agent: RawAgent) =>
  agent.received.filter((m) => m && typeof m === "object" && !Array.isArray(m) && "patch_style" in m);

describe("world state (docs/protocol.md §5)", () => {
  it("converges: every agent's mirror equals the place's world after hundreds of random changes", async () => {
    const { place, agents } = await setup(4, { limits: { clockIntervalMs: 200 } });
    const random = rng(7);
    const owned: string[][] = agents.map(() => []);
    const revisions: number[][] = agents.map(() => []);
    agents.forEach((agent, i) =>
      agent.socket.on("message", () => agent.mirror && revisions[i].push(agent.mirror.revision)),
    );
    for (let step = 0; step < 300; step++) {
      const i = Math.floor(random() * agents.length);
      const agent = agents[i];
      const mine = owned[i];
      const roll = random();
      const pick = () => mine[Math.floor(random() * mine.length)];
      if (roll < 0.35 || mine.length === 0) {
        const parent = mine.length && random() < 0.3 ? pick() : undefined;
        const spec: Record<string, unknown> = {
          text: { string: `s${step}` },
          ...(parent ? { relationships: { parent } } : {}),
        };
        if (random() < 0.3) spec.children = [{ custom: step }, { children: [{}] }];
        agent.request(["spawn_entity", spec]).then((r) => r[1] !== "error" && mine.push(r[1], ...r[2]));
      } else if (roll < 0.8) {
        const id = pick();
        agent.request([
          "change_components",
          id,
          "add_or_change",
          {
            transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, random(), step, 0, 1] },
            [`c${step % 5}`]: random() < 0.5 ? { v: step } : { w: { x: step, y: [step] } },
          },
          "remove",
          random() < 0.3 ? [`c${(step + 1) % 5}`, "text"] : [],
        ]);
      } else {
        const id = pick();
        mine.splice(mine.indexOf(id), 1);
        agent.request(["remove_entity", id, random() < 0.5 ? "reparent" : "cascade"]);
      }
      if (step % 10 === 0) await agent.request(["list_agents"]);
    }
    await Promise.all(agents.map((a) => a.request(["list_agents"])));
    await Promise.all(agents.map((a) => a.until(() => a.mirror?.revision === place.world.revision)));
    const expected = documentOf(place);
    for (const agent of agents) {
      expect(agent.stateErrors).toEqual([]);
      expect(agent.mirror).toEqual(expected);
    }
    for (const seen of revisions)
      for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThanOrEqual(seen[k - 1]);
    expect(place.world.size).toBeGreaterThan(10);
  });

  it("sends nothing when nothing changed", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2, { limits: { clockIntervalMs: 3_600_000 }, tickRate: 100 });
    await a.until(() => a.mirror?.revision === place.world.revision);
    await b.until(() => b.mirror?.revision === place.world.revision);
    const before = [states(a).length, states(b).length];
    const ticks = place.stats().ticks;
    // Many ticks pass; intents, clock syncs and list_agents change nothing in the world.
    for (let i = 0; i < 10; i++) {
      a.ack();
      a.send({ cmd: "clock", client_time: i });
      await a.request(["list_agents"]);
    }
    await a.until(() => place.stats().ticks >= ticks + 10);
    await b.request(["list_agents"]);
    expect([states(a).length, states(b).length]).toEqual(before);
    const clock = await a.next((m) => m.cmd === "clock", { fromIndex: 0 });
    expect(clock).toEqual({ cmd: "clock", client_time: 0, server_time: expect.any(Number) });
  });

  it("updates the place clock at most once per interval and only then sends a revision", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1, { limits: { clockIntervalMs: 50 } });
    const first = (place.world.get("place")!.components.clock as { time: number }).time;
    await a.until(() => (a.mirror?.entities.place?.components as any)?.clock?.time > first);
    expect(place.world.get("place")!.components.transform).toBeDefined();
  });

  it("encodes one patch per distinct base and sends the same bytes to every agent on it", async () => {
    const { place, agents } = await setup(5, { limits: { clockIntervalMs: 3_600_000 } });
    await Promise.all(agents.map((a) => a.until(() => a.mirror?.revision === place.world.revision)));
    // Wait until every ack has arrived, so all five agents are based on the same revision.
    await Promise.all(agents.map((a) => a.request(["list_agents"])));
    const encodedBefore = place.stats().framesEncoded;
    const id = await spawn(agents[0]);
    await Promise.all(agents.map((a) => a.until(() => a.mirror?.entities[id] !== undefined)));
    expect(place.stats().framesEncoded - encodedBefore).toBe(1);
    const last = agents.map((a) => JSON.stringify(states(a).at(-1)));
    expect(new Set(last).size).toBe(1);
  });

  it("gives every late joiner a set equal to the world, however it changed since the last join", async () => {
    const {
      place,
      agents: [a],
      connect,
    } = await setup(1, { limits: { clockIntervalMs: 3_600_000 } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await spawn(a, { text: { string: `t${i}` }, custom: { k: i } }));
    for (let round = 0; round < 4; round++) {
      await a.request([
        "change_components",
        ids[round],
        "add_or_change",
        { custom: { other: round } },
        "remove",
        ["text"],
      ]);
      await a.request(["remove_entity", ids[4 - round]]);
      ids.push(await spawn(a, { text: { string: `r${round}` } }));
      const late = await connect(`late ${round}`);
      await late.until(() => late.mirror?.revision === place.world.revision);
      expect(states(late)[0].patch_style).toBe("set");
      expect(late.mirror).toEqual(documentOf(place));
    }
  });

  it("sends a set again when an agent acknowledges 0", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1, { limits: { clockIntervalMs: 3_600_000 } });
    await a.until(() => a.mirror?.revision === place.world.revision);
    await a.request(["list_agents"]);
    const sets = states(a).filter((s) => s.patch_style === "set").length;
    a.autoAck = false;
    a.ack(0);
    await spawn(a);
    await a.until(() => states(a).filter((s) => s.patch_style === "set").length === sets + 1);
    expect(states(a).at(-1).revision).toBe(place.world.revision);
  });
});

describe("backpressure (docs/protocol.md §5)", () => {
  it("skips an agent that stops acking, then catches it up with one coalesced patch", async () => {
    const {
      place,
      agents: [writer],
    } = await setup(1, { limits: { clockIntervalMs: 3_600_000 } });
    const reader = await rawConnect(place, { autoAck: false });
    await reader.announce({ display_name: "reader" }, {});
    await reader.until(() => reader.mirror !== undefined);
    const id = await spawn(writer, { text: { string: "0" } });
    for (let i = 1; i <= 20; i++) {
      await writer.request(["change_components", id, "add_or_change", { text: { string: String(i) } }, "remove", []]);
    }
    await writer.until(() => writer.mirror?.revision === place.world.revision);
    await reader.request(["list_agents"]);
    // Three unacknowledged states (the set and two patches) at most, then nothing while unacknowledged.
    expect(states(reader).length).toBe(3);
    const agent = [...place.agents.values()].find((x) => x.displayName === "reader")!;
    expect(agent.stats.statesSkipped).toBeGreaterThan(0);
    const received = states(reader).length;
    reader.ack(states(reader)[0].revision);
    await reader.until(() => reader.mirror?.revision === place.world.revision);
    expect(states(reader).length).toBe(received + 1);
    expect(states(reader).at(-1).patch_from).toBe(states(reader)[0].revision);
    expect(reader.stateErrors).toEqual([]);
    expect(reader.mirror).toEqual(documentOf(place));
  });

  it("keeps a reader that stopped reading its socket at a bounded cost", async () => {
    const {
      place,
      agents: [writer],
    } = await setup(1, { limits: { clockIntervalMs: 3_600_000 } });
    const stalled = await rawConnect(place);
    await stalled.announce({ display_name: "stalled" }, {});
    await stalled.until(() => stalled.mirror?.revision === place.world.revision);
    await stalled.request(["list_agents"]);
    // Stop reading: the kernel buffers fill, no more acks come.
    (stalled.socket as any)._socket.pause();
    const agent = [...place.agents.values()].find((x) => x.displayName === "stalled")!;
    const sentBefore = agent.stats.statesSent;
    const big = "x".repeat(60_000);
    const id = await spawn(writer);
    for (let i = 0; i < 100; i++) {
      await writer.request(["change_components", id, "add_or_change", { blob: { s: big + i } }, "remove", []]);
    }
    expect(agent.stats.statesSent - sentBefore).toBeLessThanOrEqual(3);
    expect(agent.stats.statesSkipped).toBeGreaterThan(90);
    expect(agent.socket.bufferedAmount).toBeLessThan(1024 * 1024);
    (stalled.socket as any)._socket.resume();
    // The writer kept being served throughout.
    await writer.until(() => writer.mirror?.revision === place.world.revision);
    expect((writer.mirror!.entities[id].components as any).blob.s).toBe(big + 99);
  });

  it("sends a joiner one set even when that set is still buffered at the next revisions, then patches from it", async () => {
    const {
      place,
      agents: [writer],
    } = await setup(1, { limits: { clockIntervalMs: 3_600_000 } });
    // ~16 MB of world: more than the kernel's socket buffers take, so the set waits in the place's buffer.
    for (let i = 0; i < 800; i++)
      place.ctx.world.add(`big${i}`, "place", { text: { string: String(i).padEnd(20_000, "x") } });
    place.ctx.requestFlush();
    await writer.until(() => writer.mirror?.revision === place.world.revision);
    const joiner = await rawConnect(place, { autoAck: false });
    await joiner.announce({ display_name: "joiner" }, {});
    joiner.socket.pause();
    const agent = [...place.agents.values()].find((x) => x.displayName === "joiner")!;
    const id = await spawn(writer);
    await writer.until(() => agent.stats.statesSkipped > 0);
    joiner.socket.resume();
    await joiner.until(() => states(joiner).length >= 1 && agent.socket.bufferedAmount === 0);
    // Skipped and not acked yet: the next revisions are patches from the set it has, not the whole world again.
    await writer.request(["change_components", id, "add_or_change", { n: { i: 1 } }, "remove", []]);
    await joiner.until(() => states(joiner).length >= 2);
    const received = states(joiner);
    expect(received.filter((m) => m.patch_style === "set")).toHaveLength(1);
    for (let k = 1; k < received.length; k++) expect(received[k].patch_from).toBe(received[k - 1].revision);
    joiner.ack();
    await joiner.until(() => joiner.mirror?.revision === place.world.revision);
    expect(joiner.stateErrors).toEqual([]);
    expect(joiner.mirror).toEqual(documentOf(place));
  });

  it("disconnects an agent that acknowledges nothing for too long", async () => {
    const {
      place,
      agents: [writer],
    } = await setup(1, { limits: { clockIntervalMs: 3_600_000, ackTimeoutMs: 200 } });
    const silent = await rawConnect(place, { autoAck: false });
    await silent.announce({ display_name: "silent" }, {});
    const id = await spawn(writer);
    const stop = setInterval(
      () =>
        writer
          .request(["change_components", id, "add_or_change", { n: Date.now() }, "remove", []])
          .catch(() => undefined),
      20,
    );
    try {
      expect((await silent.closed).code).toBe(4410);
    } finally {
      clearInterval(stop);
    }
  });
});
