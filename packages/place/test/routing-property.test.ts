// docs/protocol.md §2 rule 5 as a property ("0 lost requests, 0 double responses"): over random interleavings of
// requests, answers, silence and disconnects, every request gets exactly one response, and only its own.
import { describe, expect, it } from "vitest";
import type { RawAgent } from "../src/testing.ts";
import { rng, setup, spawn } from "./helpers.ts";

describe("request routing under random interleavings", () => {
  for (const seed of [1, 2, 3]) {
    it(`answers every request exactly once (seed ${seed})`, async () => {
      const random = rng(seed);
      const { place, agents, connect } = await setup(3, { limits: { requestTimeoutMs: 150 } });
      for (let i = 0; i < 3; i++) await connect(`extra ${i}`);
      const buttons = new Map<RawAgent, string>();
      for (const agent of agents) buttons.set(agent, await spawn(agent));
      // Each agent answers requests to its button at random: at once, twice (the second must be dropped), or never.
      for (const agent of agents) {
        agent.socket.on("message", (data: Buffer) => {
          const m = JSON.parse(data.toString());
          if (!Array.isArray(m) || m[1] !== "request") return;
          const roll = random();
          if (roll < 0.2) return;
          const answer = (body: unknown[]) => agent.send(["interaction", "response", m[3], m[2], m[4], body]);
          answer(["ping", "ok", m[4]]);
          if (roll > 0.85) answer(["ping", "ok", "again"]);
        });
      }
      const alive = new Set(agents);
      const sent: { from: RawAgent; id: string }[] = [];
      for (let i = 0; i < 200; i++) {
        const from = [...alive][Math.floor(random() * alive.size)];
        const targets = [...alive].filter((a) => a !== from);
        const to = targets[Math.floor(random() * targets.length)];
        const id = `s${seed}-${i}`;
        from.send(["interaction", "request", from.avatarId, buttons.get(to), id, ["ping", i]]);
        sent.push({ from, id });
        // Now and then someone leaves with requests in flight both ways.
        if (i % 60 === 59 && alive.size > 3) {
          const leaving = [...alive].find((a) => a !== from && a !== to)!;
          alive.delete(leaving);
          leaving.close();
        }
        if (i % 20 === 0) await from.request(["list_agents"]);
      }
      const responses = (agent: RawAgent, id: string) =>
        agent.received.filter((m) => Array.isArray(m) && m[1] === "response" && m[4] === id);
      const expected = sent.filter(({ from }) => alive.has(from));
      await Promise.all(
        [...alive].map((agent) =>
          agent.until(
            () => expected.every(({ from, id }) => from !== agent || responses(agent, id).length > 0),
            10_000,
          ),
        ),
      );
      // Let late duplicates and timeouts arrive, then count.
      await Promise.all([...alive].map((a) => a.request(["list_agents"])));
      await new Promise((r) => setTimeout(r, 200));
      await Promise.all([...alive].map((a) => a.request(["list_agents"])));
      for (const { from, id } of expected) {
        const got = responses(from, id);
        expect(got, id).toHaveLength(1);
        const body = got[0][5];
        expect(body[0]).toBe("ping");
        if (body[1] === "ok") expect(body[2]).toBe(id);
        else expect(body).toEqual(["ping", "error", "no response"]);
      }
      expect(place.stats().pendingRequests).toBe(0);
    });
  }
});
