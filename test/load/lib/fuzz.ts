// A seeded generator of hostile text frames for the place: random JSON, mutations of valid messages, boundary
// values — huge and non-finite numbers in every numeric field, prototype keys, deep nesting — and corrupted text
// (docs/protocol.md §2.1: each must be a bad frame or a refusal). Same seed, same frames,
// so a failure can be replayed.
import { rng } from "../../../bench/lib/world.ts";

export interface FuzzContext {
  /** The fuzzing agent's avatar and the entities it spawned (valid senders). */
  own: string[];
  /** Entities of other agents (receivers to route to, targets it must not be allowed to change). */
  others: string[];
}

const NAMES = [
  "announce",
  "spawn_entity",
  "remove_entity",
  "change_components",
  "add_property_animation",
  "remove_property_animation",
  "allocate_track",
  "media_track",
  "subscribe",
  "unsubscribe",
  "modify_acl",
  "list_agents",
  "kick_agent",
  "poke",
  "point",
  "launch_app",
  "quit",
  "nonsense",
  "",
];
const TYPES = ["oneway", "request", "response", "publication", "bogus", "", 7, null];
/** Finite doubles whose sums, products and squares overflow. */
const HUGE = [Number.MAX_VALUE, -Number.MAX_VALUE, 1e308, -1e308, 1e300, 1e200, 1e154, -1e154, 1e16, 5e-324, -0];

export class Fuzzer {
  readonly random: () => number;
  count = 0;
  constructor(readonly seed: number) {
    this.random = rng(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.random() < p;
  }

  /** The next hostile frame, as text. */
  next(ctx: FuzzContext): string {
    this.count++;
    const kind = this.int(100);
    if (kind < 30) return JSON.stringify(this.mutate(this.valid(ctx), ctx, 1 + this.int(3)));
    if (kind < 40) return this.hostileNumbers(JSON.stringify(this.valid(ctx)));
    if (kind < 55) return JSON.stringify(this.valid(ctx));
    if (kind < 70) return JSON.stringify(this.boundary(ctx));
    if (kind < 85) return JSON.stringify(this.json(4));
    return this.corrupt(JSON.stringify(this.valid(ctx)));
  }

  sender(ctx: FuzzContext): string {
    const r = this.int(10);
    if (r < 6 && ctx.own.length) return this.pick(ctx.own);
    if (r < 8 && ctx.others.length) return this.pick(ctx.others);
    return this.pick(["", "place", "nosuchthing", "x".repeat(300)]);
  }

  receiver(ctx: FuzzContext): string {
    const r = this.int(10);
    if (r < 4) return "place";
    if (r < 7 && ctx.others.length) return this.pick(ctx.others);
    if (r < 9 && ctx.own.length) return this.pick(ctx.own);
    return this.pick(["", "nosuchthing", "__proto__"]);
  }

  /** A number for a numeric field: ordinary, or huge, tiny or on the edge of overflow. */
  number(): number {
    if (this.chance(0.6)) return this.random() * 4 - 2;
    return this.pick(HUGE);
  }

  matrix(): unknown {
    if (this.chance(0.5)) return Array.from({ length: 16 }, () => this.random() * 4 - 2);
    if (this.chance(0.6))
      return Array.from({ length: 16 }, (_, i) => (this.chance(0.3) || i === 12 ? this.number() : i % 5 === 0 ? 1 : 0));
    return this.pick([[], [1, 2, 3], Array(17).fill(0), Array(16).fill("1"), "identity", null, { 0: 1 }]);
  }

  components(ctx: FuzzContext): Record<string, unknown> {
    const c: Record<string, unknown> = {};
    const n = this.int(4);
    for (let i = 0; i < n; i++) {
      const which = this.int(9);
      if (which === 0)
        c.transform = {
          matrix: this.matrix(),
          ...(this.chance(0.2) ? { size: [this.number(), this.number(), this.number()] } : {}),
        };
      else if (which === 1)
        c.relationships = {
          parent: this.chance(0.5) ? this.receiver(ctx) : this.pick(ctx.own.length ? ctx.own : ["x"]),
        };
      else if (which === 2) c.material = { color: [this.random(), this.random(), this.random(), 1] };
      else if (which === 3) c.text = { string: "hi".repeat(this.int(50)) };
      else if (which === 4) c.clock = { time: 1 };
      else if (which === 5) c.live_media = { track_id: 1, type: "audio", format: "opus", metadata: {} };
      else if (which === 6)
        c.grabbable = {
          actuate_on: this.pick(["$parent", "place", "nope", ""]),
          translation_constraint: [this.number(), 1, 1],
          rotation_constraint: [this.number(), this.number(), 1],
        };
      else if (which === 7) c[`custom_${this.int(5)}`] = this.json(3);
      else c.collider = { type: "box", width: this.random(), height: -1, depth: "deep" };
    }
    return c;
  }

  /** A well-formed message of a random kind, plausible but often semantically wrong. */
  valid(ctx: FuzzContext): unknown {
    const k = this.int(14);
    const env = (body: unknown[], type = "request", receiver = this.receiver(ctx)) => [
      "interaction",
      type,
      this.sender(ctx),
      receiver,
      `f${this.count}`,
      body,
    ];
    const own = () => (ctx.own.length ? this.pick(ctx.own) : "x");
    switch (k) {
      case 0:
        return env([
          "spawn_entity",
          { ...this.components(ctx), children: this.chance(0.3) ? [this.components(ctx)] : undefined },
        ]);
      case 1:
        return env([
          "change_components",
          this.chance(0.7) ? own() : this.receiver(ctx),
          "add_or_change",
          this.components(ctx),
          "remove",
          this.chance(0.2) ? ["transform"] : [],
        ]);
      case 2:
        return env([
          "remove_entity",
          this.chance(0.3) ? own() : this.receiver(ctx),
          this.pick(["cascade", "reparent", "sideways"]),
        ]);
      case 3:
        return env(["add_property_animation", this.animation()], "request", this.chance(0.5) ? own() : "place");
      case 4:
        return env([
          "subscribe",
          this.pick(['["interaction", "oneway", _, _, _, ["point", ...]]', "((((", "", "X where X == ", "_"]),
        ]);
      case 5:
        return env(["modify_acl", this.pick(["add", "remove", "list", "bogus"]), "allow", "_"]);
      case 6:
        return env(["list_agents"]);
      case 7:
        return env([this.pick(NAMES), ...this.jsonArray(2)], this.pick(TYPES) as string);
      case 8:
        return {
          cmd: "intent",
          intent: {
            wants_stick_movement: this.chance(0.5),
            xmovement: this.number(),
            zmovement: this.pick([0, 1, 1e308, -1e308]),
            yaw: this.number(),
            pitch: this.number(),
            poses: {
              root: { matrix: this.matrix() },
              head: { matrix: this.matrix() },
              [this.pick(["hand/left", "hand/right"])]: {
                matrix: this.matrix(),
                grab: {
                  entity: this.chance(0.5) && ctx.others.length ? this.pick(ctx.others) : this.receiver(ctx),
                  grabber_from_entity_transform: this.matrix(),
                },
              },
            },
            ack_state_rev: this.pick([0, 1, -1, 2 ** 53, 1.5]),
          },
        };
      case 9:
        return { cmd: "clock", client_time: this.pick([0, 1.5, -1, 1e300, "now"]) };
      case 10:
        return env(["poke", true]);
      case 11:
        return [
          "interaction",
          "response",
          this.sender(ctx),
          this.receiver(ctx),
          this.pick(["f1", "r1", "", "nope"]),
          ["poke", "ok"],
        ];
      case 12:
        return env(["media_track", this.int(5), this.pick(["subscribe", "unsubscribe", "x"])]);
      default:
        return env(["launch_app", "alloapp:http://127.0.0.1:1/", {}]);
    }
  }

  /** An animation descriptor, often with values whose interpolation or recomposition could overflow. */
  animation(): Record<string, unknown> {
    const [path, value] = this.pick<[string, () => unknown]>([
      ["transform.matrix.rotation.y", () => this.number()],
      ["transform.matrix.translation", () => [this.number(), this.number(), this.number()]],
      ["transform.matrix.scale", () => [this.number(), this.number(), this.number()]],
      ["transform.matrix", () => this.matrix()],
      ["material.color.0", () => this.number()],
      ["custom_1", () => this.number()],
      ["nope", () => this.number()],
      ["", () => this.random()],
    ]);
    return {
      path,
      from: value(),
      to: value(),
      duration: this.pick([1, 0.05, 0, -1, 1e9, 1e-300]),
      easing: this.pick(["linear", "bounceOut", "elasticInOut", "backIn", "wobble"]),
      repeats: this.chance(0.3),
      autoreverses: this.chance(0.3),
    };
  }

  /** Puts numbers JSON cannot carry as finite doubles (1e309 parses to Infinity) into a frame's text. */
  hostileNumbers(text: string): string {
    return text.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?(?=[,\]}])/gi, (n) =>
      this.chance(0.3)
        ? this.pick(["1e309", "-1e309", "1e999", "1.7976931348623157e308", "-1.7976931348623157e308", "5e-324"])
        : n,
    );
  }

  /** Applies n random structural mutations. */
  mutate(x: unknown, ctx: FuzzContext, n: number): unknown {
    let v = x;
    for (let i = 0; i < n; i++) v = this.mutateOnce(v, ctx);
    return v;
  }

  private mutateOnce(x: unknown, ctx: FuzzContext): unknown {
    if (Array.isArray(x)) {
      const a = [...x];
      const op = this.int(6);
      if (op === 0 && a.length) a.splice(this.int(a.length), 1);
      else if (op === 1) a.splice(this.int(a.length + 1), 0, this.json(2));
      else if (op === 2 && a.length) a[this.int(a.length)] = this.boundaryValue();
      else if (a.length) {
        const i = this.int(a.length);
        a[i] = this.mutateOnce(a[i], ctx);
      }
      return a;
    }
    if (x && typeof x === "object") {
      const o: Record<string, unknown> = { ...(x as Record<string, unknown>) };
      const keys = Object.keys(o);
      const op = this.int(5);
      if (op === 0 && keys.length) delete o[this.pick(keys)];
      else if (op === 1) o[this.pick(["__proto__", "constructor", "prototype", "", "é", "a/b~c"])] = this.json(2);
      else if (keys.length) {
        const k = this.pick(keys);
        o[k] = op === 2 ? this.boundaryValue() : this.mutateOnce(o[k], ctx);
      }
      return o;
    }
    return this.chance(0.5) ? this.boundaryValue() : this.json(2);
  }

  boundaryValue(): unknown {
    // Over-limit sizes are rare: each costs the place a parse of ~70–200 KB, and one in a hundred proves the point.
    if (this.chance(0.01)) return "x".repeat(70_000);
    return this.pick([
      0,
      -0,
      1,
      -1,
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 53),
      1e308,
      -1e308,
      5e-324,
      0.1,
      "",
      " ",
      "\u0000",
      "\ud800",
      "💥",
      true,
      false,
      null,
      [],
      {},
      [[[[[]]]]],
      { "": null },
      "place",
      "__proto__",
    ]);
  }

  boundary(ctx: FuzzContext): unknown {
    const k = this.int(6);
    if (k === 0) return this.nested(40 + this.int(200));
    if (k === 1) return Object.fromEntries(Array.from({ length: 1001 + this.int(500) }, (_, i) => [`k${i}`, i]));
    if (k === 2)
      return [
        "interaction",
        "request",
        this.sender(ctx),
        "place",
        "b",
        ["spawn_entity", { children: Array.from({ length: this.chance(0.1) ? 50 : 3 }, () => ({ children: [{}] })) }],
      ];
    if (k === 3)
      return [
        "interaction",
        "request",
        this.sender(ctx),
        "place",
        "b",
        [
          "change_components",
          this.sender(ctx),
          "add_or_change",
          { big: "y".repeat(this.chance(0.1) ? 60_000 + this.int(20_000) : 100) },
          "remove",
          [],
        ],
      ];
    if (k === 4)
      return this.chance(0.1) ? Array.from({ length: 100_001 }, () => 0) : Array.from({ length: 1001 }, () => [0]);
    return JSON.parse(
      `{"__proto__":{"polluted":true},"cmd":"intent","intent":{"constructor":{"prototype":{"polluted":true}}}}`,
    );
  }

  nested(depth: number): unknown {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = this.chance(0.5) ? [v] : { a: v };
    return v;
  }

  json(depth: number): unknown {
    const k = this.int(depth > 0 ? 8 : 5);
    if (k === 0) return null;
    if (k === 1) return this.chance(0.5);
    if (k === 2) return this.pick([this.random() * 1e6 - 5e5, this.int(100), 2 ** 53, -0]);
    if (k === 3) return this.pick(["", "a", "place", "interaction", "\u2028", "x".repeat(this.int(200))]);
    if (k === 4) return this.boundaryValue();
    if (k === 5 || k === 6) return this.jsonArray(depth - 1);
    const o: Record<string, unknown> = {};
    for (let i = 0, n = this.int(5); i < n; i++)
      o[this.pick(["a", "cmd", "patch_style", "intent", "entities", "id", "components", `k${i}`])] = this.json(
        depth - 1,
      );
    return o;
  }

  jsonArray(depth: number): unknown[] {
    return Array.from({ length: this.int(6) }, () => this.json(Math.max(0, depth)));
  }

  /** Breaks the text: truncation, a flipped character, junk bytes, or an empty frame. */
  corrupt(text: string): string {
    const k = this.int(5);
    if (k === 0) return text.slice(0, this.int(text.length));
    if (k === 1) {
      const i = this.int(text.length);
      return text.slice(0, i) + String.fromCharCode(32 + this.int(95)) + text.slice(i + 1);
    }
    if (k === 2) return Array.from({ length: this.int(64) }, () => String.fromCharCode(this.int(0x3000))).join("");
    if (k === 3) return "";
    return text + text;
  }
}
