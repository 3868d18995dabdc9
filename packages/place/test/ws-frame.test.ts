// State frames are framed once and written to each agent's TCP socket as they are (ws-frame.ts, agent.ts sendFrame):
// the bytes must be what ws itself reads as one text message, for every length encoding (RFC 6455 §5.2).
import { describe, expect, it } from "vitest";
import * as ws from "ws";
import { payloadOf, textFrame } from "../src/ws-frame.ts";
import type { World } from "../src/world.ts";
import { documentOf, setup, spawn } from "./helpers.ts";

// ws's own frame reader and writer (exported by ws, not typed by @types/ws).
const { Receiver, Sender } = ws as unknown as {
  Receiver: new (options: { isServer: boolean }) => NodeJS.EventEmitter & { write(chunk: Buffer): boolean };
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

/** What a client's ws reads from these bytes. */
function read(bytes: Buffer): Promise<{ text: string; binary: boolean }> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on("message", (data: Buffer, binary: boolean) => resolve({ text: data.toString(), binary }));
    receiver.on("error", reject);
    receiver.write(bytes);
  });
}

describe("state frames written as they are", () => {
  it("are the frame ws would write, for 7-, 16- and 64-bit lengths", async () => {
    // Payloads of 0, 1, 125 … 65536 bytes, and multi-byte text whose UTF-8 length (the header's) is not its length.
    const texts = [0, 1, 125, 126, 127, 65535, 65536].map((n) => "x".repeat(n));
    texts.push(`"${"é😀".repeat(40)}"`, `"${"é😀".repeat(40_000)}"`);
    for (const json of texts) {
      const frame = textFrame(json);
      const byWs = Buffer.concat(
        Sender.frame(Buffer.from(json), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }),
      );
      expect(frame.equals(byWs), `${json.length} characters`).toBe(true);
      expect(payloadOf(frame).toString()).toBe(json);
      expect(await read(frame)).toEqual({ text: json, binary: false });
    }
  });

  it("carry patches over 64 KiB between other frames, in order, to every agent", async () => {
    const { place, agents } = await setup(3, { limits: { clockIntervalMs: 3_600_000 } });
    const [a] = agents;
    const ids = [await spawn(a, { text: { string: "" } }), await spawn(a, { text: { string: "" } })];
    // Revisions with ~100 KB of changes (merge frames with a 64-bit length), while responses (ws.send) interleave.
    const big = "ü".repeat(50_000);
    const answers = await Promise.all([
      ...ids.map((id, i) =>
        a.request(["change_components", id, "add_or_change", { text: { string: `${i}${big}` } }, "remove", []]),
      ),
      ...agents.map((agent) => agent.request(["list_agents"])),
    ]);
    expect(answers.every((r) => r[1] !== "error")).toBe(true);
    for (const agent of agents) {
      // Answers come before the flush that makes their revision: wait for it too.
      await agent.until(() => !(place.world as World).dirty && agent.mirror?.revision === place.world.revision);
      expect(agent.mirror).toEqual(documentOf(place));
      const merges = agent.received.filter((m) => (m as { patch_style?: string })?.patch_style === "merge");
      expect(Math.max(...merges.map((m) => Buffer.byteLength(JSON.stringify(m))))).toBeGreaterThan(65536);
    }
  });
});
