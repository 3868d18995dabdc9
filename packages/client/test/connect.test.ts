import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import { AnnounceRefusedError, connect, PlaceUnreachableError, PlaceUrlError } from "../src/index.ts";
import { agentOf, collect, quietLogger, startTestBed, type TestBed } from "./harness.ts";

let bed: TestBed;
beforeEach(async () => (bed = await startTestBed()));
afterEach(() => bed.teardown());

describe("connect", () => {
  it("announces and resolves with its avatar already in the mirror", async () => {
    const client = await bed.join("alice");
    expect(client.avatarId).toMatch(/^\w+$/);
    expect(client.placeName).toBe("Client test place");
    expect(client.url).toBe(bed.place.url);
    const avatar = client.world.get(client.avatarId);
    expect(avatar?.components.transform?.matrix).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(client.world.get("place")?.components.clock).toBeDefined();
    expect(bed.place.world.get(client.avatarId)).toBeDefined();
    expect(agentOf(bed.place, client).displayName).toBe("alice");
    expect(Number.isFinite(client.serverTime())).toBe(true);
  });

  it("accepts an alloplace:// URL and spawns a custom avatar with its children", async () => {
    const client = await bed.join("bob", {
      avatar: {
        transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1.6, 0, 1] },
        visor: { display_name: "bob" },
        children: [{ text: { string: "bob" } }],
      },
    });
    const again = await connect(`alloplace://127.0.0.1:${bed.place.port}`, {
      identity: { display_name: "carol" },
      logger: quietLogger,
    });
    try {
      expect(again.url).toBe(bed.place.url);
      await again.waitForWorld((w) => w.get(client.avatarId) !== undefined);
      const children = [...again.world.entities.values()].filter(
        (e) => e.components.relationships?.parent === client.avatarId,
      );
      expect(children.map((c) => c.components.text)).toEqual([{ string: "bob" }]);
      expect(again.world.get(client.avatarId)?.components.visor).toEqual({ display_name: "bob" });
    } finally {
      await again.close();
    }
  });

  it("rejects with PlaceUnreachableError when nothing listens on the port", async () => {
    const port = await closedPort();
    const attempt = connect(`ws://127.0.0.1:${port}/`, { logger: quietLogger, timeout: 2000 });
    await expect(attempt).rejects.toBeInstanceOf(PlaceUnreachableError);
    await expect(attempt).rejects.toMatchObject({ url: `ws://127.0.0.1:${port}/` });
    await expect(attempt).rejects.toThrow(
      /Could not reach the place at ws:\/\/127\.0\.0\.1:\d+\/: .*Is the place running/,
    );
  });

  it("rejects a URL that is not a place URL with PlaceUrlError", async () => {
    await expect(connect("ftp://example.com", { logger: quietLogger })).rejects.toBeInstanceOf(PlaceUrlError);
  });

  it("rejects with AnnounceRefusedError (code 1003) when the place refuses the protocol version", async () => {
    const attempt = connect(bed.place.url, { protocolVersion: 2, logger: quietLogger });
    await expect(attempt).rejects.toBeInstanceOf(AnnounceRefusedError);
    await expect(attempt).rejects.toMatchObject({ code: 1003 });
    await vi.waitFor(() => expect(bed.place.agents.size).toBe(0));
  });

  describe("against a peer that misbehaves during announce", () => {
    let server: WebSocketServer;
    let url: string;
    beforeEach(async () => {
      server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
      await new Promise((resolve) => server.once("listening", resolve));
      url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
    });
    afterEach(() => new Promise((resolve) => server.close(resolve)));

    it("rejects with AnnounceRefusedError carrying the close code when the peer closes instead of answering", async () => {
      server.on("connection", (socket) => socket.once("message", () => socket.close(4401, "not today")));
      const attempt = connect(url, { logger: quietLogger });
      await expect(attempt).rejects.toBeInstanceOf(AnnounceRefusedError);
      await expect(attempt).rejects.toMatchObject({ code: 4401, reason: "not today" });
    });

    it("survives a place that sends garbage: counted and ignored, nothing emitted, a foreign base acknowledged as 0", async () => {
      const intents: number[] = [];
      let send: (data: string) => void = () => {};
      server.on("connection", (socket) => {
        send = (data) => socket.send(data);
        socket.on("message", (data) => {
          const message = JSON.parse(String(data));
          if (Array.isArray(message) && message[5][0] === "announce") {
            socket.send(
              JSON.stringify(["interaction", "response", "place", "", message[4], ["announce", "av1", "Fake place"]]),
            );
            socket.send(
              JSON.stringify({
                patch_style: "set",
                revision: 2,
                entities: { av1: { id: "av1", components: { transform: { matrix: [1] } } } },
              }),
            );
          } else if (message.cmd === "clock") socket.send(JSON.stringify({ ...message, server_time: 100 }));
          else if (message.cmd === "intent") intents.push(message.intent.ack_state_rev);
        });
      });
      const client = await connect(url, { logger: quietLogger });
      try {
        expect(client.placeName).toBe("Fake place");
        const seen = collect(client.interactions$);
        send("this is not JSON");
        send(JSON.stringify({ patch_style: "merge", revision: 3 })); // no patch_from
        send(JSON.stringify(["interaction", "teleport", "x", "y", "", ["ghost"]])); // not an interaction type
        send(JSON.stringify(["interaction", "response", "x", "av1", "nobody-asked", ["ghost"]])); // answers nothing
        send(JSON.stringify({ patch_style: "merge", patch_from: 77, revision: 78, entities: { av1: null } })); // base never held
        await vi.waitFor(() => expect(intents).toContain(0));
        expect(client.isOpen).toBe(true);
        expect(client.stats.invalidMessagesReceived).toBe(3);
        expect(seen).toEqual([]);
        expect(client.world.revision).toBe(2);
        expect(client.world.get("av1")).toBeDefined();
        expect(intents[0]).toBe(2); // the first intent acknowledged the set
      } finally {
        await client.close();
      }
    });

    it("reads text frames from ws's bytes: other characters exact, UTF-8 bytes counted, frames past its limits refused", async () => {
      let sentBytes = 0;
      let send: (data: string) => void = () => {};
      server.on("connection", (socket) => {
        send = (data) => {
          sentBytes += Buffer.byteLength(data);
          socket.send(data);
        };
        socket.on("message", (data) => {
          const message = JSON.parse(String(data));
          if (Array.isArray(message) && message[5][0] === "announce") {
            send(
              JSON.stringify(["interaction", "response", "place", "", message[4], ["announce", "av1", "Fake place"]]),
            );
            send(JSON.stringify({ patch_style: "set", revision: 2, entities: { av1: { id: "av1", components: {} } } }));
          } else if (message.cmd === "clock") send(JSON.stringify({ ...message, server_time: 100 }));
        });
      });
      const client = await connect(url, { logger: quietLogger });
      try {
        const words = "héllo ✓ 😀 \u2028";
        send(
          JSON.stringify({
            patch_style: "merge",
            patch_from: 2,
            revision: 3,
            entities: { u: { components: { text: { string: words } } } },
          }),
        );
        send(
          '{"patch_style":"merge","patch_from":3,"revision":4,"entities":{"u":{"components":{"x":{"__proto__":{"polluted":1}}}}}}',
        );
        send(
          '{"patch_style":"merge","patch_from":3,"revision":4,"entities":{"u":{"components":{"x":' +
            "[".repeat(60) +
            "]".repeat(60) +
            "}}}}",
        );
        send(JSON.stringify({ patch_style: "set", revision: 4, entities: { u: { id: "v", components: {} } } }));
        send('{"patch_style":"merge","patch_from":3,"revision":4,"entities":{"u":{"components":{"n":1e999}}}}');
        send(
          JSON.stringify({
            patch_style: "merge",
            patch_from: 3,
            revision: 4,
            entities: { u: { components: { n: 4 } } },
          }),
        );
        await vi.waitFor(() => expect(client.world.revision).toBe(4));
        expect(client.world.get("u")?.components).toEqual({ text: { string: words }, n: 4 });
        expect(client.stats.invalidMessagesReceived).toBe(4);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        await vi.waitFor(() => expect(client.stats.bytesReceived).toBe(sentBytes));
      } finally {
        await client.close();
      }
    });

    it("rejects when the peer answers announce but never sends the world or answers clock sync", async () => {
      server.on("connection", (socket) =>
        socket.on("message", (data) => {
          const message = JSON.parse(String(data));
          if (Array.isArray(message))
            socket.send(
              JSON.stringify(["interaction", "response", "place", "", message[4], ["announce", "av1", "Mute"]]),
            );
        }),
      );
      await expect(connect(url, { logger: quietLogger, timeout: 400 })).rejects.toThrow(
        /accepted the announce but did not send a world state with our avatar or an answer to clock sync in time/,
      );
    });

    it("rejects with AnnounceRefusedError when the announce gets no answer in time", async () => {
      const received: string[] = [];
      server.on("connection", (socket) => socket.on("message", (data) => received.push(String(data))));
      await expect(connect(url, { logger: quietLogger, timeout: 300 })).rejects.toThrow(/announce.*no answer within/);
      const announce = JSON.parse(received[0]);
      expect(announce.slice(0, 5)).toEqual(["interaction", "request", "", "place", announce[4]]);
      expect(announce[5].slice(0, 4)).toEqual(["announce", "version", 3, "identity"]);
      expect(received).toHaveLength(1); // only the announce until the place answers (docs/protocol.md §2 rule 1)
    });
  });
});

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
