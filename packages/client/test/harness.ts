// A real place on a free port, and connected clients that are closed after each test.
import type { Place, PlaceOptions } from "@allo/place";
import { startTestPlace } from "@allo/place/testing";
import { createLogger } from "@allo/protocol";
import { connect, type AlloClient, type ConnectOptions } from "../src/index.ts";

/** Tests keep logs quiet: a lost connection is expected in several of them. */
export const quietLogger = createLogger("client-test", "error");

export interface TestBed {
  place: Place;
  /** Connects a client that afterEach closes. */
  join(displayName: string, options?: ConnectOptions): Promise<AlloClient>;
  teardown(): Promise<void>;
}

export async function startTestBed(options: PlaceOptions = {}): Promise<TestBed> {
  const place = await startTestPlace({ name: "Client test place", ...options });
  const clients: AlloClient[] = [];
  return {
    place,
    async join(displayName, options = {}) {
      const client = await connect(place.url, {
        identity: { display_name: displayName },
        logger: quietLogger,
        ...options,
      });
      clients.push(client);
      return client;
    },
    async teardown() {
      await Promise.all(clients.map((c) => c.close()));
      await place.close();
    },
  };
}

/** The place-side agent behind a client. */
export function agentOf(place: Place, client: AlloClient) {
  const agent = [...place.agents.values()].find((a) => a.avatarId === client.avatarId);
  if (!agent) throw new Error(`no agent with avatar ${client.avatarId} in the place`);
  return agent;
}

/** Collects everything a stream emits. */
export function collect<T>(stream: { subscribe(next: (value: T) => void): unknown }): T[] {
  const values: T[] = [];
  stream.subscribe((value: T) => values.push(value));
  return values;
}
