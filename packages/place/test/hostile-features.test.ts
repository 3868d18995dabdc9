// Hostile input to the features of this module never crashes the place or corrupts the world: random animation
// descriptors, patterns, ACL edits, media and asset frames, then the place still answers and its world is intact.
import { describe, expect, it } from "vitest";
import { setup, spawn } from "./helpers.ts";

function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}
function randomJson(random: () => number, depth = 0): unknown {
  const r = random();
  if (depth > 3 || r < 0.3)
    return [0, -1, 1e308, 0.5, "", "x", "transform.matrix.rotation.y", true, false, null][Math.floor(random() * 10)];
  if (r < 0.6) return Array.from({ length: Math.floor(random() * 17) }, () => randomJson(random, depth + 1));
  const keys = ["path", "from", "to", "start_at", "duration", "easing", "repeats", "autoreverses", "y", "x"];
  return Object.fromEntries(
    Array.from({ length: Math.floor(random() * 6) }, () => [
      keys[Math.floor(random() * keys.length)],
      randomJson(random, depth + 1),
    ]),
  );
}
const TOKENS = [
  "[",
  "]",
  "{",
  "}",
  "(",
  ")",
  ",",
  ":",
  "...",
  "_",
  "A",
  "where",
  "and",
  "or",
  "not",
  "in",
  "==",
  "<",
  '"s"',
  "1",
  "owner",
  "agent",
  "identity",
  "\n",
  "@",
];

describe("hostile input to animations, patterns, ACL, media and assets", () => {
  it("never crashes the place nor corrupts the world", async () => {
    // A generous budget: this test is about content, the rate limit has its own tests.
    const {
      place,
      agents: [a, b],
    } = await setup(2, { limits: { messagesPerSecond: 100_000, messageBurst: 100_000 } });
    const id = await spawn(a, {
      transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] },
      text: { string: "t", height: 1 },
    });
    const random = rng(42);
    const answers: unknown[] = [];
    const ask = async (who: typeof a, body: unknown[], options?: { receiver?: string }) => {
      try {
        answers.push(await who.request(body, options));
      } catch (e) {
        throw new Error(`no answer to ${JSON.stringify(body).slice(0, 300)}: ${(e as Error).message}`, { cause: e });
      }
    };
    for (let i = 0; i < 300; i++) {
      const descriptor =
        i % 10 === 0
          ? { path: "text.height", from: 0, to: 2, duration: 0.05 }
          : random() < 0.3
            ? {
                path: ["transform.matrix", "transform.matrix.scale", "text.height", "transform.matrix.rotation"][i % 4],
                ...(randomJson(random) as object),
              }
            : randomJson(random);
      await ask(a, ["add_property_animation", descriptor], { receiver: id });
      const pattern =
        i % 10 === 0
          ? `["news", X] where X == ${i}`
          : Array.from({ length: Math.floor(random() * 12) }, () => TOKENS[Math.floor(random() * TOKENS.length)]).join(
              " ",
            );
      await ask(b, ["subscribe", pattern]);
      await ask(b, ["modify_acl", "add", "deny", pattern]);
      // Channels this module handles (others count as bad frames, which has its own test and closes at 100 a minute).
      const bytes = Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * 256));
      bytes[0] = [0, 3, 4][i % 3];
      a.send(Buffer.from(bytes));
      b.send(["interaction", "publication", b.avatarId, "", "", ["news", randomJson(random)]]);
    }
    expect(answers.every((r) => Array.isArray(r))).toBe(true);
    expect(answers.filter((r) => (r as unknown[])[1] === "ok").length).toBeGreaterThan(0);
    // The place still works, and what it holds is valid.
    expect((await b.request(["list_agents"]))[1]).toBe("ok");
    const matrix = (place.world.get(id)!.components.transform as { matrix: unknown[] }).matrix;
    expect(matrix).toHaveLength(16);
    expect(matrix.every((v) => typeof v === "number" && Number.isFinite(v))).toBe(true);
    expect(typeof (place.world.get(id)!.components.text as { height: unknown }).height).toBe("number");
  });
});
