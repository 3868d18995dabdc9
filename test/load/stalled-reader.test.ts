// A stalled reader among healthy agents (docs/protocol.md §5 backpressure; docs/performance.md, "Faults"):
// raw sockets that announce and then never read again. The place must notice by ack lag within 3 states, never
// queue state for them (≤ 1 MB each), keep every healthy agent exact, and cut them off after the ack timeout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type ChildHandle } from "../../bench/lib/child.ts";
import { sleep } from "../../bench/lib/report.ts";
import { RawSocket } from "./lib/raw-socket.ts";
import { WireAgent } from "./lib/wire-agent.ts";
import { mirrorDifferences } from "./lib/invariants.ts";
import { documentAtAgentRevision } from "./lib/healthy.ts";

const HEALTHY = 50;
const STALLED = 5;
// Long enough that opening the stalled sockets and looking at them fits before it even on a loaded machine.
const ACK_TIMEOUT_MS = 10_000;

let host: ChildHandle;
let url: string;
const healthy: WireAgent[] = [];

type AgentInfo = {
  id: string;
  avatarId?: string;
  lagging: boolean;
  unacked: number;
  buffered: number;
  stats: { statesSent: number; statesSkipped: number };
};
type Memory = { heapUsed: number; external: number; arrayBuffers: number };
const retained = (m: Memory) => m.heapUsed + m.external;

beforeAll(async () => {
  host = startChild(new URL("./lib/place-host.ts", import.meta.url), [
    JSON.stringify({ limits: { ackTimeoutMs: ACK_TIMEOUT_MS } }),
  ]);
  url = ((await host.ready) as { url: string }).url;
  await host.call("scenery", { n: 1000 });
  for (let i = 0; i < HEALTHY; i++) healthy.push(await WireAgent.connect(url, { name: `healthy${i}` }));
});
afterAll(async () => {
  for (const a of healthy) a.terminate();
  await host?.kill();
});

describe("a stalled reader among healthy agents", () => {
  it("is skipped after 3 unacknowledged states, costs the place under 1 MB, and healthy agents stay exact", async () => {
    await host.call("animate", { perTick: 100 }); // ~100 moved entities a tick, ≈ 30 KB patches at 20 Hz
    await sleep(2000);
    const before = await host.call<Memory>("memory", { collect: true });

    const openedAt = Date.now();
    const stalled = await Promise.all(
      Array.from({ length: STALLED }, async (_, i) => {
        const raw = await RawSocket.open(url, { readFrames: false });
        raw.sendText(
          JSON.stringify([
            "interaction",
            "request",
            "",
            "place",
            "s1",
            ["announce", "version", 3, "identity", { display_name: `stalled${i}` }, "spawn_avatar", {}],
          ]),
        );
        return raw;
      }),
    );
    const healthyIds = new Set(healthy.map((a) => a.avatarId));
    const stalledNow = async () =>
      (await host.call<AgentInfo[]>("agents")).filter((a) => a.avatarId && !healthyIds.has(a.avatarId));
    // Stalled, but not yet past the ack timeout: wait until the place has skipped each of them a while.
    let stalledInfo = await stalledNow();
    while (stalledInfo.length < STALLED || stalledInfo.some((a) => a.stats.statesSkipped <= 10)) {
      await sleep(50);
      stalledInfo = await stalledNow();
    }
    expect(Date.now() - openedAt, "the machine was too slow to look before the ack timeout").toBeLessThan(
      ACK_TIMEOUT_MS,
    );
    expect(stalledInfo).toHaveLength(STALLED);
    for (const a of stalledInfo) {
      expect(a.stats.statesSent).toBeLessThanOrEqual(3); // the set, then 2 patches: noticed by ack lag within 3 states
      expect(a.stats.statesSkipped).toBeGreaterThan(10);
      expect(a.lagging).toBe(true);
    }
    const during = await host.call<Memory>("memory", { collect: true });
    const perStalled = (retained(during) - retained(before)) / STALLED;
    console.log(`stalled reader: ${(perStalled / 1024).toFixed(0)} KB retained by the place per stalled agent`);
    expect(perStalled).toBeLessThanOrEqual(1024 * 1024);

    // Healthy agents never lagged behind: each acknowledged what it got and got everything.
    await host.call("animate", { perTick: 0 });
    await sleep(300);
    for (const a of healthy) {
      const doc = await documentAtAgentRevision(a, () => host.call("document"));
      expect(mirrorDifferences(Object.fromEntries(a.entities), doc.entities)).toEqual([]);
      expect(a.stats.sets).toBe(1);
    }

    // Past the ack timeout the stalled agents are cut off and their avatars leave the world.
    while ((await stalledNow()).length > 0) await sleep(100);
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS); // not before it
    const finalDoc = await host.call<{ entities: Record<string, unknown> }>("document");
    for (const s of stalledInfo) expect(finalDoc.entities[s.avatarId!]).toBeUndefined();
    for (const raw of stalled) raw.destroy();
  }, 90_000);
});
