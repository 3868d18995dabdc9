// Malformed and oversized WebSocket frames, written byte by byte on a raw TCP socket (RFC 6455 §5; the ws receiver's
// own test classes in its test/receiver.test.js): each one closes only the offending connection, with the
// right close code, and the place goes on serving everyone else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlace } from "@allo/place/testing";
import type { Place } from "@allo/place";
import { buildFrame, Opcode, RawSocket, textFrame } from "./lib/raw-socket.ts";
import { WireAgent } from "./lib/wire-agent.ts";
import { assertMirrorEqual, assertPlaceHealthy } from "./lib/healthy.ts";

let place: Place;
let observer: WireAgent;

beforeAll(async () => {
  place = await startTestPlace();
  observer = await WireAgent.connect(place.url, { name: "observer" });
});
afterAll(async () => {
  observer?.close();
  await place?.close();
});

const announce = JSON.stringify([
  "interaction",
  "request",
  "",
  "place",
  "a1",
  ["announce", "version", 3, "identity", { display_name: "raw" }, "spawn_avatar", {}],
]);

/** Opens a raw socket (announced or not), writes the bytes, and returns how the place reacted. */
async function react(bytes: Buffer | Buffer[], { announced = false } = {}): Promise<RawSocket> {
  const raw = await RawSocket.open(place.url);
  if (announced) {
    raw.sendText(announce);
    await raw.until(() => raw.texts().some((t) => t.includes('"response"')), 5000);
  }
  for (const b of Array.isArray(bytes) ? bytes : [bytes]) raw.write(b);
  await raw.until(() => raw.ended, 5000);
  return raw;
}

const cases: Array<[string, () => Buffer | Buffer[], number]> = [
  ["RSV1 set without an extension", () => textFrame(announce, { rsv: 4 }), 1002],
  ["RSV2 set", () => textFrame(announce, { rsv: 2 }), 1002],
  ["RSV3 set", () => textFrame(announce, { rsv: 1 }), 1002],
  ["reserved data opcode 0x3", () => buildFrame({ opcode: 0x3, payload: "x" }), 1002],
  ["reserved control opcode 0xB", () => buildFrame({ opcode: 0xb, payload: "x" }), 1002],
  ["continuation frame first", () => buildFrame({ opcode: Opcode.continuation, payload: "x" }), 1002],
  ["unmasked client frame", () => textFrame(announce, { mask: false }), 1002],
  ["invalid UTF-8 in a text frame", () => textFrame(Buffer.from([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d])), 1007],
  [
    "invalid UTF-8 in a close reason",
    () => buildFrame({ opcode: Opcode.close, payload: Buffer.from([0x03, 0xe8, 0xff, 0xfe]) }),
    1007,
  ],
  [
    "fragmented control frame (ping without FIN)",
    () => buildFrame({ opcode: Opcode.ping, payload: "p", fin: false }),
    1002,
  ],
  ["control frame payload over 125 bytes", () => buildFrame({ opcode: Opcode.ping, payload: Buffer.alloc(126) }), 1002],
  ["close frame with a 1-byte payload", () => buildFrame({ opcode: Opcode.close, payload: Buffer.from([3]) }), 1002],
  [
    "close frame with an invalid code (999)",
    () => buildFrame({ opcode: Opcode.close, payload: Buffer.from([0x03, 0xe7]) }),
    1002,
  ],
  ["data frame inside a fragmented message", () => [textFrame("[", { fin: false }), textFrame("1]")], 1002],
  [
    "declared length of 2^63 − 1",
    () => buildFrame({ opcode: Opcode.text, payload: "x", declaredLength: 2n ** 63n - 1n }),
    1009,
  ],
  [
    "binary frame over the 4 MiB limit",
    () => buildFrame({ opcode: Opcode.binary, payload: Buffer.alloc(4 * 1024 * 1024 + 16) }),
    1009,
  ],
];

describe("malformed WebSocket frames", () => {
  for (const [name, bytes, code] of cases) {
    it(`closes the connection on ${name} (close ${code})`, async () => {
      const raw = await react(bytes());
      expect(raw.ended).toBe(true);
      expect(raw.closeCode).toBe(code);
    });
  }

  it("closes an announced agent sending a text frame over 1 MiB with 1009, and removes its avatar", async () => {
    const before = place.world.size;
    const raw = await react(textFrame("x".repeat(1024 * 1024 + 1)), { announced: true });
    expect(raw.closeCode).toBe(1009);
    await observer.until(() => place.world.size === before, 5000);
    expect(place.world.size).toBe(before);
  });

  it("answers or cuts off 5,000 pings packed into one TCP write, and nobody else notices", async () => {
    // ws 8.23 drops such a connection after a few dozen pongs (1006); either way the place must stay whole.
    const raw = await RawSocket.open(place.url);
    raw.write(Buffer.concat(Array.from({ length: 5000 }, () => buildFrame({ opcode: Opcode.ping, payload: "p" }))));
    const pongs = () => raw.frames.filter((f) => f.opcode === Opcode.pong).length;
    expect(await raw.until(() => pongs() === 5000 || raw.ended, 10_000)).toBe(true);
    raw.destroy();
    await assertPlaceHealthy(place.url, observer, () => place.world.toDocument());
  });

  it("ignores data sent after a close frame", async () => {
    const raw = await react([
      buildFrame({ opcode: Opcode.close, payload: Buffer.from([0x03, 0xe8]) }),
      textFrame(announce),
    ]);
    expect(raw.closeCode).toBe(1000);
    expect(raw.texts()).toEqual([]);
  });

  it("treats a frame that is valid UTF-8 but not JSON as a bad frame, not a crash (closes 4401 before announce)", async () => {
    const raw = await react(textFrame("{not json"));
    expect(raw.closeCode).toBe(4401);
  });

  it("survives 300 malformed connections in a row, and every other agent is unaffected", async () => {
    for (let i = 0; i < 300; i++) {
      const [, bytes] = cases[i % cases.length];
      const raw = await RawSocket.open(place.url);
      for (const b of [bytes()].flat()) raw.write(b);
      await raw.until(() => raw.ended, 5000);
      if (!raw.ended) throw new Error(`case ${i % cases.length} left the connection open`);
    }
    await observer.until(() => place.agents.size === 1, 5000); // only the observer is left
    await assertPlaceHealthy(place.url, observer, () => place.world.toDocument());
    await assertMirrorEqual(place, observer);
  }, 60_000);
});
