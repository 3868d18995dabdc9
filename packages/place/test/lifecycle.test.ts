import { describe, expect, it } from "vitest";
import { startPlace } from "../src/place.ts";
import { connectRawAgent } from "../src/testing.ts";
import { rawConnect, setup, spawn } from "./helpers.ts";

describe("HTTP on the place's port", () => {
  it("answers /healthz with the place's figures", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1, { name: "Health" });
    await spawn(a);
    const res = await fetch(`http://127.0.0.1:${place.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ok",
      name: "Health",
      agents: 1,
      entities: 3,
      revision: place.world.revision,
    });
  });

  it("describes the place at / and says how to connect", async () => {
    const { place } = await setup(0, { name: "<Cosy & Co>" });
    const html = await (await fetch(`http://127.0.0.1:${place.port}/`)).text();
    expect(html).toContain("&#60;Cosy &#38; Co&#62;");
    expect(html).toContain(`alloplace://127.0.0.1:${place.port}`);
    expect((await fetch(`http://127.0.0.1:${place.port}/nothing-here`)).status).toBe(404);
  });

  it("lets an httpHandler serve routes first (the visor's hook)", async () => {
    const { place } = await setup(0, {
      httpHandler: (req, res) => {
        if (req.url !== "/") return false;
        res.end("visor");
        return true;
      },
    });
    expect(await (await fetch(`http://127.0.0.1:${place.port}/`)).text()).toBe("visor");
    expect((await fetch(`http://127.0.0.1:${place.port}/healthz`)).status).toBe(200);
  });
});

describe("heartbeat (docs/protocol.md §5)", () => {
  it("ends a connection that misses two pongs and removes its entities", async () => {
    const {
      place,
      agents: [watcher],
    } = await setup(1, { limits: { pingIntervalMs: 30 } });
    const mute = await rawConnect(place, { autoPong: false });
    const body = await mute.announce({ display_name: "mute" }, {});
    const closed = await mute.closed;
    expect(closed.code).toBe(1006);
    await watcher.until(
      () => watcher.mirror !== undefined && !(body[1] in watcher.mirror.entities) && !place.world.has(body[1]),
    );
    // An agent that answers pings stays.
    expect(watcher.socket.readyState).toBe(watcher.socket.OPEN);
  });
});

describe("close()", () => {
  it("answers waiting requests, closes every socket and stops", async () => {
    const place = await startPlace({ port: 0, logLevel: "silent" });
    const a = await connectRawAgent(place.url);
    const b = await connectRawAgent(place.url);
    await a.announce();
    await b.announce();
    const button = await spawn(b);
    const waiting = a.request(["poke", true], { receiver: button });
    await b.next((m) => Array.isArray(m) && m[5]?.[0] === "poke", { fromIndex: 0 });
    await place.close();
    expect(await waiting).toEqual(["poke", "error", "place is closing"]);
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    await expect(fetch(`http://127.0.0.1:${place.port}/healthz`)).rejects.toThrow();
  });
});
