// Thousands of connect → announce → spawn → abrupt kill cycles (an abrupt
// disconnect must leak no timers or listeners: heap flat ±2 MB) against a place in its own process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type ChildHandle } from "../../bench/lib/child.ts";
import { WireAgent } from "./lib/wire-agent.ts";
import { RawSocket } from "./lib/raw-socket.ts";

const CYCLES = Number(process.env.ALLO_CYCLES ?? 2000);
const WARMUP = 300;
const CONCURRENCY = 16;

let host: ChildHandle;
let url: string;
let observer: WireAgent;

beforeAll(async () => {
  host = startChild(new URL("./lib/place-host.ts", import.meta.url));
  url = ((await host.ready) as { url: string }).url;
  observer = await WireAgent.connect(url, { name: "observer" });
});
afterAll(async () => {
  observer?.terminate();
  await host?.kill();
});

/** One cycle: a wire agent that announces and spawns, then dies without a close handshake (RST or terminate). */
async function cycle(i: number): Promise<void> {
  if (i % 4 === 3) {
    // Dies before announcing.
    const raw = await RawSocket.open(url);
    raw.reset();
    return;
  }
  const a = await WireAgent.connect(url, { name: `cycle${i}` });
  await a.place([
    "spawn_entity",
    { transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }, children: [{}, {}] },
  ]);
  if (i % 2) a.terminate();
  else (a.ws as unknown as { _socket: { resetAndDestroy(): void } })._socket.resetAndDestroy();
  await a.closed;
}

async function run(count: number, offset: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await cycle(offset + next++);
    }),
  );
}

type Memory = { heapUsed: number; external: number };
type Stats = { place: { agents: number; entities: number; pendingRequests: number } };

async function settled(): Promise<Memory> {
  for (let i = 0; i < 100; i++) {
    const s = await host.call<Stats>("stats");
    if (s.place.agents === 1 && s.place.entities === 2) break; // the observer, its avatar and the place entity
    await new Promise((r) => setTimeout(r, 50));
  }
  return host.call<Memory>("memory", { collect: true });
}

describe("connect/kill cycles", () => {
  it(`leaves the place's heap flat over ${CYCLES} abrupt disconnects`, async () => {
    await run(WARMUP, 0);
    const before = await settled();
    await run(CYCLES, WARMUP);
    const after = await settled();
    const stats = await host.call<Stats>("stats");
    expect(stats.place.agents).toBe(1);
    expect(stats.place.entities).toBe(2);
    expect(stats.place.pendingRequests).toBe(0);
    const growth = after.heapUsed - before.heapUsed;
    console.log(
      `connect/kill: heap ${(before.heapUsed / 1e6).toFixed(1)} → ${(after.heapUsed / 1e6).toFixed(1)} MB over ${CYCLES} cycles`,
    );
    expect(growth).toBeLessThan(2 * 1024 * 1024);
    await observer.until((o) => o.entities.size === 2, 5000);
  }, 120_000);
});
