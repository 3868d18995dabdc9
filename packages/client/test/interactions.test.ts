import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { filter, firstValueFrom, lastValueFrom, toArray } from "rxjs";
import { WebSocket } from "ws";
import { createLogger, type InteractionBody } from "@allo/protocol";
import {
  AlloError,
  ConnectionLostError,
  InteractionDeniedError,
  InteractionError,
  RequestTimeoutError,
  type IncomingInteraction,
  type WebSocketConstructor,
} from "../src/index.ts";
import { agentOf, collect, startTestBed, type TestBed } from "./harness.ts";

let bed: TestBed;
beforeEach(async () => (bed = await startTestBed()));
afterEach(() => bed.teardown());

describe("requests and responses", () => {
  it("delivers a request to the entity's agent, and its respond() answers the requester", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const seenByBob = collect<IncomingInteraction>(bob.interactions$);
    const seenByAlice = collect<IncomingInteraction>(alice.interactions$);
    const answered: IncomingInteraction[] = [];
    bob.interactions$.pipe(filter((i) => i.name === "ping")).subscribe((i) => {
      expect(i.respond(["ping", "pong", i.body[1] ?? null])).toBe(true);
      answered.push(i);
    });

    const response = await alice.request(alice.avatarId, bob.avatarId, ["ping", 42]);
    expect(response).toEqual(["ping", "pong", 42]);
    expect(seenByBob).toHaveLength(1);
    expect(seenByBob[0]).toMatchObject({
      type: "request",
      name: "ping",
      senderEntityId: alice.avatarId,
      receiverEntityId: bob.avatarId,
      body: ["ping", 42],
    });
    expect(seenByBob[0].requestId).not.toBe("");
    expect(seenByAlice).toEqual([]); // the response settled the promise and was not emitted
    expect(() => answered[0].respond(["ping", "again"])).toThrow(/already answered/);
  });

  it("uses a distinct request id for each request in flight", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const ids = new Set<string>();
    bob.interactions$.subscribe((i) => {
      ids.add(i.requestId);
      setTimeout(() => i.respond(["echo", i.body[1] ?? null]), 5);
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, n) => alice.request(alice.avatarId, bob.avatarId, ["echo", n])),
    );
    expect(answers).toEqual(Array.from({ length: 20 }, (_, n) => ["echo", n]));
    expect(ids.size).toBe(20);
  });

  it("delivers oneways, which cannot be responded to", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const next = firstValueFrom(bob.interactions$);
    alice.send(alice.avatarId, bob.avatarId, ["point", [0, 1, 0], [0, 1, -2]]);
    const oneway = await next;
    expect(oneway).toMatchObject({
      type: "oneway",
      name: "point",
      senderEntityId: alice.avatarId,
      receiverEntityId: bob.avatarId,
      requestId: "",
    });
    expect(() => oneway.respond(["point", "ok"])).toThrow(AlloError);
  });

  it("publishes to the agents whose subscription matches, and to nobody else", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const carol = await bed.join("carol");
    const [, subscriptionId] = await bob.request(bob.avatarId, "place", [
      "subscribe",
      `["interaction", "publication", _, _, _, ["chat", ...]]`,
    ]);
    expect(typeof subscriptionId).toBe("string");
    const seenByCarol = collect<IncomingInteraction>(carol.interactions$);
    const next = firstValueFrom(bob.interactions$);
    alice.publish(alice.avatarId, ["chat", "hello"]);
    expect(await next).toMatchObject({
      type: "publication",
      name: "chat",
      senderEntityId: alice.avatarId,
      receiverEntityId: "",
      body: ["chat", "hello"],
    });
    await carol.request(carol.avatarId, "place", ["list_agents"]); // carol has had everything the place sent her before this
    expect(seenByCarol).toEqual([]);
  });

  it("rejects with InteractionError carrying the responder's reason", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    bob.interactions$.subscribe((i) => i.respond(["poke", "failed", "the button is broken"]));
    const attempt = alice.request(alice.avatarId, bob.avatarId, ["poke", true]);
    await expect(attempt).rejects.toBeInstanceOf(InteractionError);
    await expect(attempt).rejects.toMatchObject({
      interactionName: "poke",
      reason: "the button is broken",
      body: ["poke", "failed", "the button is broken"],
    });
  });

  it("rejects with InteractionError for the place's errors", async () => {
    const alice = await bed.join("alice");
    await expect(alice.changeComponents("no-such-entity", { text: { string: "x" } })).rejects.toMatchObject({
      name: "InteractionError",
      interactionName: "change_components",
      reason: "no such entity",
    });
    await expect(alice.request(alice.avatarId, "nobody-here", ["poke", true])).rejects.toMatchObject({
      reason: "no such entity",
    });
  });

  it("rejects with InteractionDeniedError when the place's ACL refuses", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const attempt = alice.changeComponents(bob.avatarId, { text: { string: "mine now" } });
    await expect(attempt).rejects.toBeInstanceOf(InteractionDeniedError);
    await expect(attempt).rejects.toMatchObject({ interactionName: "change_components" });
    await expect(attempt).rejects.toThrow(
      /"change_components" was denied by the place's access rules: .*change_components/,
    );
    expect(bob.world.get(bob.avatarId)?.components.text).toBeUndefined();
  });

  it("rejects with RequestTimeoutError when no response comes in time", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob"); // never answers
    const attempt = alice.request(alice.avatarId, bob.avatarId, ["poke", true], { timeout: 150 });
    await expect(attempt).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(attempt).rejects.toMatchObject({ interactionName: "poke", timeout: 150 });
  });

  it("rejects pending requests with ConnectionLostError when the place goes away, and resolves closed", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob"); // never answers
    const interactionsEnd = lastValueFrom(alice.interactions$.pipe(toArray()));
    const pending = alice.request(alice.avatarId, bob.avatarId, ["poke", true]);
    const rejected = expect(pending).rejects.toBeInstanceOf(ConnectionLostError);
    await bed.place.close();
    await rejected;
    const closed = await alice.closed;
    expect(closed.error).toBeInstanceOf(ConnectionLostError);
    expect(closed.error?.message).toMatch(/connection to the place was lost/);
    expect(await interactionsEnd).toEqual([]);
    expect(alice.isOpen).toBe(false);
    await expect(alice.request(alice.avatarId, bob.avatarId, ["poke", true])).rejects.toBeInstanceOf(
      ConnectionLostError,
    );
    expect(() => alice.send(alice.avatarId, bob.avatarId, ["point-exit"])).toThrow(AlloError);
  });

  it("closes on request: pending requests reject, closed resolves without an error, and the place forgets the agent", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const pending = alice.request(alice.avatarId, bob.avatarId, ["poke", true]);
    const rejected = expect(pending).rejects.toBeInstanceOf(ConnectionLostError);
    await alice.close();
    await rejected;
    expect((await alice.closed).error).toBeUndefined();
    await bob.waitForWorld((w) => w.get(alice.avatarId) === undefined);
  });
});

describe("pacing (the place's rate limit, docs/protocol.md §5)", () => {
  it("queues a burst beyond the place's budget instead of having it dropped: every request is answered", async () => {
    const alice = await bed.join("alice");
    const { id } = await alice.spawnEntity({ text: { string: "0" } });
    const burst = Array.from({ length: 600 }, (_, n) => alice.changeComponents(id, { text: { string: String(n) } }));
    expect(alice.stats.messagesQueued).toBeGreaterThan(0);
    await Promise.all(burst);
    await vi.waitFor(() => expect(alice.stats.messagesQueued).toBe(0)); // the last acks may still wait
    expect(agentOf(bed.place, alice).stats.rateLimited).toBe(0);
    await alice.waitForWorld((w) => (w.get(id)?.components.text as { string: string }).string === "599");
  });

  it("without pacing, the same burst has requests refused by the place's rate limit, each one answered", async () => {
    const alice = await bed.join("alice", { sendBudget: false });
    const { id } = await alice.spawnEntity({ text: { string: "0" } });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 600 }, (_, n) =>
        alice.changeComponents(id, { text: { string: String(n) } }, [], { timeout: 1500 }),
      ),
    );
    expect(agentOf(bed.place, alice).stats.rateLimited).toBeGreaterThan(0);
    const refused = outcomes.filter(
      (o) => o.status === "rejected" && o.reason instanceof InteractionError && o.reason.reason === "rate limited",
    ).length;
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(agentOf(bed.place, alice).stats.rateLimited); // intents are dropped too
    // The place answers what it drops (docs/protocol.md §2.1 step 2): nothing waits for a timeout.
    expect(outcomes.filter((o) => o.status === "rejected" && o.reason instanceof RequestTimeoutError)).toEqual([]);
  });
});

describe("sending", () => {
  it("writes the frames sent in one turn to the socket together, in order", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const received = collect<IncomingInteraction>(bob.interactions$);
    // The net.Socket under `ws` (private): count what reaches it, one call per write or writev.
    const raw = (alice as unknown as { connection: { socket: { _socket: { _write: Function; _writev: Function } } } })
      .connection.socket._socket;
    const writes: number[] = [];
    const { _write, _writev } = raw;
    raw._write = function (this: unknown, ...args: unknown[]) {
      writes.push(1);
      return _write.apply(this, args);
    };
    raw._writev = function (this: unknown, chunks: unknown[], ...rest: unknown[]) {
      writes.push(chunks.length);
      return _writev.call(this, chunks, ...rest);
    };
    for (let n = 0; n < 20; n++) alice.send(alice.avatarId, bob.avatarId, ["point", [0, 0, n], [0, 0, -1]]);
    await new Promise<void>((resolve) => process.nextTick(resolve)); // after the turn's microtasks
    raw._write = _write;
    raw._writev = _writev;
    expect(writes).toHaveLength(1); // one writev (ws alone: one per frame)
    await vi.waitFor(() => expect(received).toHaveLength(20));
    expect(received.map((i) => (i.body[1] as number[])[2])).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });
});

describe("stats and outgoing$", () => {
  it("counts every frame sent, by name, and shows each on outgoing$", async () => {
    const alice = await bed.join("alice");
    const frames = collect<{ text: string }>(alice.outgoing$);
    const sentBefore = alice.stats.messagesSent;
    const bytesBefore = alice.stats.bytesSent;
    const spawnsBefore = alice.stats.sentByName.spawn_entity ?? 0;
    await alice.spawnEntity({ text: { string: "héllo ✓ 😀" } });
    await alice.waitForWorld((w) => w.revision > 0);
    expect(alice.stats.sentByName.spawn_entity).toBe(spawnsBefore + 1);
    expect(alice.stats.messagesSent - sentBefore).toBe(frames.length);
    expect(alice.stats.bytesSent - bytesBefore).toBe(frames.reduce((n, f) => n + Buffer.byteLength(f.text), 0));
    const spawn = frames.map((f) => JSON.parse(f.text)).find((m) => Array.isArray(m) && m[5][0] === "spawn_entity");
    expect(spawn.slice(0, 4)).toEqual(["interaction", "request", alice.avatarId, "place"]);
    expect(alice.stats.receivedByName.spawn_entity).toBeGreaterThanOrEqual(1);
    expect(alice.stats.messagesReceived).toBeGreaterThan(0);
    expect(alice.stats.invalidMessagesReceived).toBe(0);
  });
});

describe("interactions that arrive before anyone listens", () => {
  it("holds a request that arrives while connect() is still settling, and delivers it to the first subscriber", async () => {
    const bob = await bed.join("bob");
    // Bob pokes alice's avatar the moment it appears in his world, as a visor's user might.
    const answer = new Promise<InteractionBody>((resolve, reject) => {
      bob.entityAdded$
        .pipe(filter((e) => (e.components.text as { string?: string } | undefined)?.string === "alice"))
        .subscribe((e) => {
          bob.request(bob.avatarId, e.id, ["poke", true], { timeout: 10_000 }).then(resolve, reject);
        });
    });
    // Alice's socket holds back the place's clock echoes until the poke came in, so connect() cannot resolve before it.
    const alice = await bed.join("alice", {
      avatar: { text: { string: "alice" } },
      WebSocket: clockHeldUntilFrame('"poke"'),
    });
    expect(alice.stats.receivedByName.poke).toBe(1); // it arrived before anyone could subscribe
    alice.interactions$.subscribe((i) => i.respond(["poke", "ok", i.senderEntityId]));
    expect(await answer).toEqual(["poke", "ok", bob.avatarId]);
  });

  it("holds what arrives after connect() until the first subscriber, in order; later subscribers see only what follows", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const answers = [
      alice.request(alice.avatarId, bob.avatarId, ["poke", true]),
      alice.request(alice.avatarId, bob.avatarId, ["quit"]),
    ];
    alice.send(alice.avatarId, bob.avatarId, ["point", [0, 0, 0], [0, 0, -1]]);
    await vi.waitFor(() => expect(bob.stats.receivedByName.point).toBe(1));
    const first = collect<IncomingInteraction>(bob.interactions$);
    const second = collect<IncomingInteraction>(bob.interactions$); // subscribed in the same turn: sees the held ones too
    await Promise.resolve();
    expect(first.map((i) => i.name)).toEqual(["poke", "quit", "point"]);
    expect(second.map((i) => i.name)).toEqual(["poke", "quit", "point"]);
    first.filter((i) => i.type === "request").forEach((i) => i.respond([i.name, "ok"]));
    expect(await Promise.all(answers)).toEqual([
      ["poke", "ok"],
      ["quit", "ok"],
    ]);

    const late = collect<IncomingInteraction>(bob.interactions$);
    const next = firstValueFrom(bob.interactions$);
    alice.send(alice.avatarId, bob.avatarId, ["point-exit"]);
    expect((await next).name).toBe("point-exit");
    expect(late.map((i) => i.name)).toEqual(["point-exit"]);
  });

  it("holds at most 256: beyond that it drops the oldest, refuses the dropped requests and warns once", async () => {
    const lines: string[] = [];
    const alice = await bed.join("alice");
    const bob = await bed.join("bob", { logger: createLogger("client-test", "warn", (line) => lines.push(line)) });
    const requests = Array.from({ length: 260 }, (_, n) => alice.request(alice.avatarId, bob.avatarId, ["poke", n]));
    // The four oldest are pushed out as the last four arrive, and refused at once, while bob still has no subscriber.
    const dropped = await Promise.allSettled(requests.slice(0, 4));
    expect(dropped.map((o) => o.status === "rejected" && (o.reason as InteractionError).reason)).toEqual(
      Array(4).fill("the agent was not listening to interactions yet"),
    );
    expect(bob.stats.receivedByName.poke).toBe(260);
    const held = collect<IncomingInteraction>(bob.interactions$);
    await Promise.resolve();
    expect(held.map((i) => i.body[1])).toEqual(Array.from({ length: 256 }, (_, n) => n + 4));
    held.forEach((i) => i.respond(["poke", "ok"]));
    expect(await Promise.all(requests.slice(4))).toEqual(Array(256).fill(["poke", "ok"]));
    expect(lines.filter((l) => l.includes("no subscriber to interactions$"))).toHaveLength(1);
  });
});

/**
 * A `ws` socket that holds back the place's clock echoes until a frame containing `marker` has been delivered:
 * connect() waits for a clock sample, so whatever carries the marker arrives before connect() resolves. It gates ws's
 * "message" event itself, which both onmessage and on("message") listen to.
 */
function clockHeldUntilFrame(marker: string): WebSocketConstructor {
  return class extends WebSocket {
    private released = false;
    private readonly held: Array<() => void> = [];
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== "message" || args[1] === true) return super.emit(event, ...args);
      const text = String(args[0]);
      if (!this.released && text.includes('"cmd":"clock"')) {
        this.held.push(() => super.emit(event, ...args));
        return true;
      }
      const delivered = super.emit(event, ...args);
      if (!this.released && text.includes(marker)) {
        this.released = true;
        this.held.splice(0).forEach((deliver) => deliver());
      }
      return delivered;
    }
  } as unknown as WebSocketConstructor;
}
