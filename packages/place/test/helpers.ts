// Shared set-up for the place tests: a real place and announced raw agents.
import { afterEach } from "vitest";
import type { Server } from "node:http";
import type { Place } from "../src/place.ts";
import { connectRawAgent, startTestPlace, type RawAgent, type RawAgentOptions } from "../src/testing.ts";
import type { PlaceOptions } from "../src/types.ts";

const open: { place: Place; agents: RawAgent[] }[] = [];

afterEach(async () => {
  for (const { place, agents } of open.splice(0)) {
    await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
    await place.close();
  }
});

export interface Setup {
  place: Place;
  agents: RawAgent[];
  /** An announced agent; `identity` adds to {display_name: name} (a token, say). */
  connect(name?: string, options?: RawAgentOptions, identity?: Record<string, unknown>): Promise<RawAgent>;
}

/** A place and `count` announced agents named a, b, c…; everything is closed after the test. */
export async function setup(count = 1, options: PlaceOptions = {}): Promise<Setup> {
  const place = await startTestPlace(options);
  const entry = { place, agents: [] as RawAgent[] };
  open.push(entry);
  const connect = async (
    name = `agent ${entry.agents.length}`,
    agentOptions?: RawAgentOptions,
    identity: Record<string, unknown> = {},
  ) => {
    const agent = await connectRawAgent(place.url, agentOptions);
    entry.agents.push(agent);
    const r = await agent.announce({ display_name: name, ...identity }, {});
    if (r[0] !== "announce" || r[1] === "error") throw new Error(`announce failed: ${JSON.stringify(r)}`);
    return agent;
  };
  for (let i = 0; i < count; i++) await connect(String.fromCharCode(97 + i));
  return { place, agents: entry.agents, connect };
}

/** Connects without announcing. */
export async function rawConnect(s: Setup | Place, options?: RawAgentOptions): Promise<RawAgent> {
  const place = "place" in s ? s.place : s;
  const agent = await connectRawAgent(place.url, options);
  const entry = open.find((e) => e.place === place);
  entry?.agents.push(agent);
  return agent;
}

/** The place's world as JSON, to compare with an agent's mirror. */
export function documentOf(place: Place): unknown {
  return JSON.parse(JSON.stringify(place.world.toDocument()));
}

export async function spawn(agent: RawAgent, spec: Record<string, any> = {}): Promise<string> {
  const r = await agent.request(["spawn_entity", spec]);
  if (r[0] !== "spawn_entity" || r[1] === "error") throw new Error(`spawn failed: ${JSON.stringify(r)}`);
  return r[1];
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A seeded PRNG (mulberry32) so a failing random run can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** HTTP servers a test starts (push them here); closed, connections and all, after each test. */
export function useHttpServers(): Server[] {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (s) =>
          new Promise((r) => {
            s.closeAllConnections();
            s.close(r);
          }),
      ),
    );
  });
  return servers;
}
