// The pattern-language ACL over a real place (docs/protocol.md §2 rule 7, §4).
import { describe, expect, it } from "vitest";
import { DEFAULT_ACL_RULES, parseAclConfig } from "../src/acl.ts";
import { issueToken } from "../src/auth.ts";
import type { RawAgent } from "../src/testing.ts";
import type { PlaceOptions } from "../src/types.ts";
import { rawConnect, setup as setupPlace, spawn, type Setup } from "./helpers.ts";

// Rules about who someone is match the verified identity (a token the operator signed), never a display name.
const SECRET = "the operator's secret, thirty-two bytes or more";
const OPERATOR = {
  rules: [
    {
      id: "operator",
      effect: "allow" as const,
      pattern: `["interaction", _, _, "place", _, ["modify_acl", ...]] where "operator" in identity()["roles"]`,
    },
  ],
};
const setup = (count: number, options: PlaceOptions = {}) =>
  setupPlace(count, { auth: { mode: "open", secret: SECRET }, ...options });

/** An agent announced with a token for `sub` (and the role "operator" when sub is "operator"). */
async function connectAs(s: Setup, sub: string): Promise<RawAgent> {
  const agent = await rawConnect(s);
  const token = await issueToken(SECRET, { sub, roles: sub === "operator" ? ["operator"] : [] });
  await agent.announce({ display_name: sub, token }, {});
  return agent;
}

describe("default rules", () => {
  it("are written in the pattern language and listed like any rule", async () => {
    const operator = await connectAs(await setup(0, { acl: OPERATOR }), "operator");
    const [, status, rules] = await operator.request(["modify_acl", "list"]);
    expect(status).toBe("ok");
    expect(rules).toEqual([
      { id: "operator", effect: "allow", pattern: OPERATOR.rules[0].pattern },
      ...DEFAULT_ACL_RULES,
    ]);
  });

  it("deny changing, removing and animating another agent's entities, kick_agent and modify_acl", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    const id = await spawn(a, { text: { string: "mine", height: 1 } });
    const denied = async (body: unknown[], receiver = "place") => {
      const r = await b.request(body, { receiver });
      expect(r[0], JSON.stringify(body)).toBe("interaction_denied");
      expect(r[1][5]).toEqual(body);
      return r[2] as string;
    };
    expect(await denied(["change_components", id, "add_or_change", { text: { string: "yours" } }])).toBe(
      `deny ${DEFAULT_ACL_RULES[0].pattern}`,
    );
    await denied(["remove_entity", id]);
    await denied(["add_property_animation", { path: "text.height", from: 0, to: 1 }], id);
    await denied(["kick_agent", [...place.agents.keys()][0]]);
    await denied(["modify_acl", "list"]);
    await denied(["change_components", "place", "add_or_change", { text: { string: "mine now" } }]);
    expect(place.world.get(id)!.components.text).toEqual({ string: "mine", height: 1 });
  });
});

describe("modify_acl", () => {
  it("removing the default ownership rule lets another agent change an entity", async () => {
    const s = await setup(2, { acl: OPERATOR });
    const [a, b] = s.agents;
    const operator = await connectAs(s, "operator");
    const id = await spawn(a, { text: { string: "a's" } });
    expect((await b.request(["change_components", id, "add_or_change", { text: { string: "b's" } }]))[0]).toBe(
      "interaction_denied",
    );
    expect(await operator.request(["modify_acl", "remove", "default-change-components"])).toEqual(["modify_acl", "ok"]);
    expect(await b.request(["change_components", id, "add_or_change", { text: { string: "b's" } }])).toEqual([
      "change_components",
      "ok",
    ]);
    expect(s.place.world.get(id)!.components.text).toEqual({ string: "b's" });
    // The other defaults still hold.
    expect((await b.request(["remove_entity", id]))[0]).toBe("interaction_denied");
  });

  it("adds rules first, applies them at once, and removes them by id", async () => {
    const s = await setup(1, { acl: OPERATOR });
    const operator = await connectAs(s, "operator");
    const troll = await connectAs(s, "troll");
    const pattern = `["interaction", "request", _, "place", _, ["spawn_entity", ...]] where identity()["sub"] == "troll"`;
    const [, status, ruleId] = await operator.request(["modify_acl", "add", "deny", pattern]);
    expect(status).toBe("ok");
    expect((await operator.request(["modify_acl", "list"]))[2][0]).toEqual({ id: ruleId, effect: "deny", pattern });
    expect((await troll.request(["spawn_entity", {}]))[0]).toBe("interaction_denied");
    expect((await s.agents[0].request(["spawn_entity", {}]))[0]).toBe("spawn_entity");
    expect(await operator.request(["modify_acl", "remove", ruleId])).toEqual(["modify_acl", "ok"]);
    expect((await troll.request(["spawn_entity", {}]))[0]).toBe("spawn_entity");
    expect(await operator.request(["modify_acl", "remove", ruleId])).toEqual([
      "modify_acl",
      "error",
      `no rule "${ruleId}"`,
    ]);
  });

  it("an allow rule added later opens kick_agent to an operator", async () => {
    const s = await setup(1, { acl: OPERATOR });
    const operator = await connectAs(s, "operator");
    await operator.request([
      "modify_acl",
      "add",
      "allow",
      `["interaction", _, _, "place", _, ["kick_agent", _]] where "operator" in identity()["roles"]`,
    ]);
    const victim = [...s.place.agents.values()].find((x) => x.displayName === "a")!;
    expect(await operator.request(["kick_agent", victim.id])).toEqual(["kick_agent", "ok"]);
    expect((await s.agents[0].closed).code).toBe(4403);
  });

  it("refuses a pattern that does not parse, with its line and column", async () => {
    const s = await setup(0, { acl: OPERATOR });
    const operator = await connectAs(s, "operator");
    expect(await operator.request(["modify_acl", "add", "deny", `["spawn_entity",\n  oops]`])).toEqual([
      "modify_acl",
      "error",
      `pattern: line 2, column 3: unknown word "oops" (variables start with a capital letter; strings need quotes)`,
    ]);
    expect((await operator.request(["modify_acl", "add", "maybe", `_`]))[2]).toMatch(/"allow" or "deny"/);
    expect((await operator.request(["modify_acl", "frobnicate"]))[2]).toMatch(/modify_acl takes/);
  });
});

describe("rules from the place's configuration", () => {
  it("a rule denying an announce keeps it out (here by its declared name: a rule may read the request it matches)", async () => {
    const s = await setup(0, {
      acl: {
        rules: [
          {
            effect: "deny",
            pattern: `["interaction", "request", _, "place", _, ["announce", _, _, _, Identity, ...]] where Identity["display_name"] == "harry"`,
          },
        ],
      },
    });
    const harry = await rawConnect(s);
    const r = await harry.announce({ display_name: "harry" });
    expect(r[0]).toBe("interaction_denied");
    expect(r[2]).toMatch(/^deny \["interaction", "request"/);
    expect((await harry.closed).code).toBe(4403);
    expect([...s.place.agents.values()].some((x) => x.displayName === "harry")).toBe(false);
    const sally = await s.connect("sally");
    expect(sally.avatarId).toBeDefined();
  });

  it("replaceDefaults leaves only the configured rules", async () => {
    const s = await setup(2, {
      acl: {
        replaceDefaults: true,
        rules: [{ effect: "deny", pattern: `["interaction", _, _, "place", _, ["kick_agent", ...]]` }],
      },
    });
    const [a, b] = s.agents;
    const id = await spawn(a, { text: { string: "a's" } });
    expect(await b.request(["change_components", id, "add_or_change", { text: { string: "b's" } }])).toEqual([
      "change_components",
      "ok",
    ]);
  });

  it("a configured rule with a default's id replaces that default, and the other defaults stay", async () => {
    const kickAllowed = {
      id: "default-kick-agent",
      effect: "allow" as const,
      pattern: `["interaction", _, _, "place", _, ["kick_agent", ...]]`,
    };
    const s = await setup(0, { acl: { rules: [kickAllowed, ...OPERATOR.rules] } });
    const operator = await connectAs(s, "operator");
    const [, , rules] = await operator.request(["modify_acl", "list"]);
    expect(rules).toEqual([
      kickAllowed,
      OPERATOR.rules[0],
      ...DEFAULT_ACL_RULES.filter((r) => r.id !== "default-kick-agent"),
    ]);
  });

  it("refuses a configuration that leaves no room for the default rules", async () => {
    const rules = Array.from({ length: 256 }, (_, n) => ({
      id: `r${n}`,
      effect: "allow" as const,
      pattern: `["never", ${n}]`,
    }));
    await expect(setup(0, { acl: { rules } })).rejects.toThrow(
      /no room for the default rule default-change-components/,
    );
  });

  it("checks a configuration file's rules before the place starts", () => {
    expect(parseAclConfig({ rules: [{ effect: "allow", pattern: "[" }] })).toEqual({
      ok: false,
      error: "acl config: rules[0].pattern: line 1, column 2: expected a pattern but found the end of the pattern",
    });
    expect(parseAclConfig({ rules: [{ effect: "permit", pattern: "_" }] }).ok).toBe(false);
    expect(parseAclConfig({ rulez: [] })).toEqual({
      ok: false,
      error: `acl config: unknown key "rulez" (known: rules, replaceDefaults)`,
    });
    expect(parseAclConfig({ rules: [{ effect: "deny", pattern: "_" }] })).toEqual({
      ok: true,
      value: { rules: [{ effect: "deny", pattern: "_" }], replaceDefaults: false },
    });
  });
});

describe("readAclConfigFile", () => {
  it('reads a JSON file (bare or under "acl") and names the file in errors', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const { readAclConfigFile } = await import("../src/acl.ts");
    const dir = mkdtempSync(join(tmpdir(), "allo-acl-"));
    try {
      writeFileSync(join(dir, "place.json"), JSON.stringify({ acl: OPERATOR }));
      expect(readAclConfigFile(join(dir, "place.json"))).toEqual({ rules: OPERATOR.rules, replaceDefaults: false });
      writeFileSync(join(dir, "bad.json"), JSON.stringify({ rules: [{ effect: "deny", pattern: "[x]" }] }));
      expect(() => readAclConfigFile(join(dir, "bad.json"))).toThrow(
        /bad\.json: acl config: rules\[0\]\.pattern: line 1, column 2: unknown word "x"/,
      );
      expect(() => readAclConfigFile(join(dir, "missing.json"))).toThrow(/cannot read the ACL config/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
