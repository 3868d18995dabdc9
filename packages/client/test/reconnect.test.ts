// Reconnecting (reconnect.ts): a real place closed and started again on the same port; the client's connection
// state, its pending and new requests while away, and which closes end it for good.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Place } from "@allo/place";
import { startTestPlace } from "@allo/place/testing";
import {
  backoffDelay,
  connect,
  ConnectionLostError,
  DEFAULT_RECONNECT,
  ReconnectingError,
  type AlloClient,
  type ConnectOptions,
  type ConnectionState,
} from "../src/index.ts";
import { agentOf, collect, quietLogger } from "./harness.ts";

const places: Place[] = [];
const clients: AlloClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(places.splice(0).map((p) => p.close()));
});

async function place(port = 0): Promise<Place> {
  const started = await startTestPlace({ port, name: `Reconnect place ${places.length + 1}` });
  places.push(started);
  return started;
}

async function join(
  at: Place,
  reconnect: ConnectOptions["reconnect"] = { initialDelay: 20, maxDelay: 100 },
): Promise<AlloClient> {
  const client = await connect(at.url, { identity: { display_name: "app" }, logger: quietLogger, reconnect });
  clients.push(client);
  return client;
}

const statuses = (states: ConnectionState[]) => states.map((s) => s.status);

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap, each shortened by at most the jitter", () => {
    const none = () => 0;
    const most = () => 1;
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => backoffDelay(n, DEFAULT_RECONNECT, none))).toEqual([
      250, 500, 1000, 2000, 2500, 2500, 2500,
    ]);
    expect([1, 2, 5].map((n) => backoffDelay(n, DEFAULT_RECONNECT, most))).toEqual([125, 250, 1250]);
  });
});

describe("reconnect", () => {
  it("announces again when the place comes back (1012), with a new avatar, and reports each state", async () => {
    const first = await place();
    const client = await join(first);
    const states = collect(client.connectionState$);
    const oldAvatar = client.avatarId;
    await first.close({ code: 1012, reason: "restart" });
    await vi.waitFor(() => expect(client.connectionState.status).toBe("reconnecting"));
    expect(client.connectionState).toMatchObject({
      status: "reconnecting",
      attempt: expect.any(Number),
      lastClose: { code: 1012, reason: "restart" },
    });
    const second = await place(first.port);
    await vi.waitFor(() => expect(client.connectionState.status).toBe("connected"), { timeout: 5_000 });
    expect(client.avatarId).not.toBe(oldAvatar);
    expect(client.placeName).toBe("Reconnect place 2");
    expect(client.connectionState).toMatchObject({ status: "connected", avatarId: client.avatarId, reconnects: 1 });
    expect(agentOf(second, client).displayName).toBe("app");
    // The mirror holds the new place's world, not the old one's.
    expect(client.world.get(client.avatarId)).toBeDefined();
    expect(client.world.get(oldAvatar)).toBeUndefined();
    expect(Number.isFinite(client.serverTime())).toBe(true);
    const states2 = statuses(states);
    expect(states2[0]).toBe("connected");
    expect(states2.at(-1)).toBe("connected");
    expect(states2.slice(1, -1).every((s) => s === "reconnecting")).toBe(true);
    const { id } = await client.spawnEntity({
      transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] },
    });
    expect(second.world.get(id)).toBeDefined();
  });

  it("retries when the place goes away during its first connect, after letting it in", async () => {
    const port = (await place()).port;
    await places.pop()!.close();
    let closing: Promise<void> | undefined;
    const first: Place = await startTestPlace({
      port,
      setup: (ctx) =>
        ctx.hooks.onAgentAnnounced.push(() => void (closing ??= first.close({ code: 1012, reason: "restart" }))),
    });
    const connecting = connect(first.url, {
      identity: { display_name: "app" },
      logger: quietLogger,
      reconnect: { initialDelay: 20, maxDelay: 100 },
    });
    await vi.waitFor(() => expect(closing).toBeDefined());
    await closing;
    const second = await place(port);
    const client = await connecting;
    clients.push(client);
    expect(client.connectionState).toMatchObject({ status: "connected", reconnects: 1 });
    expect(second.world.get(client.avatarId)).toBeDefined();
  });

  it("fails pending requests and requests made while away with ReconnectingError, queueing nothing", async () => {
    const first = await place();
    const client = await join(first);
    // A request nobody answers: the receiver is our own avatar, and we never respond.
    const pending = client.request(client.avatarId, client.avatarId, ["ping"], { timeout: 10_000 });
    const failed = expect(pending).rejects.toBeInstanceOf(ReconnectingError);
    await first.close({ code: 1001 });
    await failed;
    await expect(pending).rejects.toMatchObject({ code: 1001 });
    await vi.waitFor(() => expect(client.connectionState.status).toBe("reconnecting"));
    await expect(client.spawnEntity({})).rejects.toBeInstanceOf(ReconnectingError);
    expect(() => client.send(client.avatarId, client.avatarId, ["hello"])).toThrow(/closed/);
    expect(client.isOpen).toBe(false);
    await place(first.port);
    await vi.waitFor(() => expect(client.connectionState.status).toBe("connected"), { timeout: 5_000 });
    expect(client.stats.messagesQueued).toBe(0);
  });

  it("gives up after maxAttempts when the place does not come back", async () => {
    const first = await place();
    const client = await join(first, { initialDelay: 10, maxDelay: 20, maxAttempts: 3 });
    const states = collect(client.connectionState$);
    await first.close({ code: 1012 });
    const closed = await client.closed;
    expect(closed).toMatchObject({ why: "gave up", code: 1012 });
    expect(closed.reason).toMatch(/the place did not come back: 3 attempts/);
    expect(closed.error).toBeInstanceOf(ConnectionLostError);
    const attempts = states
      .filter((s): s is Extract<ConnectionState, { status: "reconnecting" }> => s.status === "reconnecting")
      .map((s) => s.attempt);
    expect(attempts).toEqual([1, 2, 3]);
    expect(client.connectionState).toMatchObject({ status: "closed", why: "gave up" });
  });

  it("gives up once the place has been away for giveUpAfter", async () => {
    const first = await place();
    const client = await join(first, { initialDelay: 20, maxDelay: 50, giveUpAfter: 300 });
    const lostAt = Date.now();
    await first.close({ code: 1001 });
    expect(await client.closed).toMatchObject({ why: "gave up" });
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(290);
  });

  it("stops when close() is called while reconnecting", async () => {
    const first = await place();
    const client = await join(first, { initialDelay: 60_000 });
    await first.close({ code: 1012 });
    await vi.waitFor(() => expect(client.connectionState.status).toBe("reconnecting"));
    await client.close();
    expect(await client.closed).toMatchObject({ why: "closed by client", code: 1000 });
  });

  it("does not come back after a kick (4403) or a close by this side", async () => {
    const at = await place();
    const kicked = await join(at);
    at.ctx.disconnect(agentOf(at, kicked), 4403, "kicked");
    expect(await kicked.closed).toMatchObject({ why: "closed by place", code: 4403, reason: "kicked" });
    const closing = await join(at);
    await closing.close();
    expect(await closing.closed).toMatchObject({ why: "closed by client", code: 1000 });
  });

  it("is off unless asked for: a place going away ends the client", async () => {
    const at = await place();
    const client = await join(at, false);
    await at.close({ code: 1012 });
    expect(await client.closed).toMatchObject({ why: "closed by place", code: 1012 });
  });
});
