// Authentication (docs/protocol.md §10): a place that requires it refuses agents without a valid token, ACL
// rules see only the verified identity, and a launch carries the verified identity of whoever asked for it.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { issueToken } from "../src/auth.ts";
import { connectRawAgent, type RawAgent } from "../src/testing.ts";
import type { PlaceOptions } from "../src/types.ts";
import { rawConnect, setup, spawn, type Setup } from "./helpers.ts";

const SECRET = "a secret of at least thirty-two bytes, for tests only";
const TOKEN_MODE: PlaceOptions = { auth: { mode: "token", secret: SECRET } };

async function join(s: Setup, identity: Record<string, unknown>): Promise<{ agent: RawAgent; answer: unknown[] }> {
  const agent = await rawConnect(s);
  return { agent, answer: await agent.announce(identity, {}) };
}

const verifiedOf = async (agent: RawAgent) => {
  const [, , list] = await agent.request(["list_agents"]);
  return list.find((a: { avatar_id: string }) => a.avatar_id === agent.avatarId).verified_identity;
};

describe("a place that requires authentication", () => {
  it("refuses an agent without a token, with a clear error, and spawns nothing", async () => {
    const s = await setup(0, TOKEN_MODE);
    const { agent, answer } = await join(s, { display_name: "alice" });
    expect(answer).toEqual([
      "announce",
      "error",
      "this place requires authentication: announce with identity.token, a token from the place's operator (allo token)",
    ]);
    expect(s.place.world.size).toBe(1);
    expect(agent.socket.readyState).toBe(agent.socket.OPEN); // it may try again with a token
    const token = await issueToken(SECRET, { sub: "alice" });
    expect((await agent.announce({ display_name: "alice", token }, {}))[0]).toBe("announce");
    expect(agent.avatarId).toBeDefined();
  });

  it("refuses forged, expired, unsigned and malformed tokens", async () => {
    const s = await setup(0, TOKEN_MODE);
    const cases: [unknown, RegExp][] = [
      [
        await issueToken("another secret of at least thirty-two bytes!", { sub: "mallory" }),
        /^invalid token: it is not signed by this place's operator$/,
      ],
      [await issueToken(SECRET, { sub: "alice", expiresIn: -60 }), /^invalid token: it has expired$/],
      [
        await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET)),
        /^invalid token: "sub" must be a non-empty string/,
      ],
      [
        await issueToken(SECRET, { sub: "alice", roles: ["x"] }).then((t) => t.split(".").slice(0, 2).join(".") + "."),
        /^invalid token: it is not signed by this place's operator$/,
      ],
      ["eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.", /^invalid token: /],
      ["not a token", /^invalid token: it is not a signed JWT$/],
      [42, /^identity\.token must be a string$/],
    ];
    for (const [token, reason] of cases) {
      const { answer } = await join(s, { display_name: "x", token });
      expect(answer.slice(0, 2), String(token)).toEqual(["announce", "error"]);
      expect(answer[2], String(token)).toMatch(reason);
    }
    expect(s.place.world.size).toBe(1);
  });

  it("admits a valid token and keeps its claims as the agent's verified identity, never the token itself", async () => {
    const s = await setup(0, TOKEN_MODE);
    const token = await issueToken(SECRET, { sub: "user-17", name: "Alice", roles: ["operator"] });
    const { agent, answer } = await join(s, { display_name: "whatever I like", token });
    expect(answer[0]).toBe("announce");
    expect(await verifiedOf(agent)).toEqual({ sub: "user-17", name: "Alice", roles: ["operator"] });
    const inside = [...s.place.agents.values()][0];
    expect(inside.identity).toEqual({ display_name: "whatever I like" });
  });

  it("handles frames sent right after the announce once the token is verified, in order", async () => {
    const s = await setup(0, TOKEN_MODE);
    const agent = await rawConnect(s);
    const token = await issueToken(SECRET, { sub: "quick" });
    agent.send([
      "interaction",
      "request",
      "",
      "place",
      "a1",
      ["announce", "version", 3, "identity", { display_name: "q", token }, "spawn_avatar", {}],
    ]);
    agent.send({ cmd: "intent", intent: { ack_state_rev: 0 } }); // before announcing this would close with "announce first"
    agent.send({ cmd: "clock", client_time: 1 });
    const answer = await agent.next((m) => Array.isArray(m) && m[4] === "a1");
    expect(answer[5][0]).toBe("announce");
    await agent.next((m) => m?.cmd === "clock", { fromIndex: 0 });
    expect(agent.socket.readyState).toBe(agent.socket.OPEN);
  });

  it("verifies tokens signed elsewhere with a public key (EdDSA)", async () => {
    const { publicKey, privateKey } = await generateKeyPair("EdDSA", { extractable: true });
    const s = await setup(0, { auth: { mode: "token", publicKey: await exportSPKI(publicKey) } });
    const signed = await new SignJWT({ name: "Dana", roles: ["guide"] })
      .setProtectedHeader({ alg: "EdDSA" })
      .setSubject("dana")
      .setExpirationTime("1h")
      .sign(privateKey);
    const { agent } = await join(s, { display_name: "d", token: signed });
    expect(await verifiedOf(agent)).toEqual({ sub: "dana", name: "Dana", roles: ["guide"] });
    // A token made with a shared secret is not accepted by a place that verifies with a key pair.
    expect((await join(s, { display_name: "e", token: await issueToken(SECRET, { sub: "eve" }) })).answer[2]).toMatch(
      /^invalid token: it is signed with an algorithm this place does not accept$/,
    );
  });

  it("refuses to start without a key to verify tokens with, or with a short secret", async () => {
    await expect(setup(0, { auth: { mode: "token" } })).rejects.toThrow(/token mode needs a secret or a public key/);
    await expect(setup(0, { auth: { mode: "token", secret: "short" } })).rejects.toThrow(/at least 32 bytes/);
  });
});

describe("an open place (local development)", () => {
  it("admits anyone, unverified; a token is verified when the place has a key", async () => {
    const open = await setup(0);
    const { agent } = await join(open, { display_name: "bob", token: "anything" });
    expect(await verifiedOf(agent)).toBeNull();
    const keyed = await setup(0, { auth: { mode: "open", secret: SECRET } });
    const { agent: carol } = await join(keyed, {
      display_name: "carol",
      token: await issueToken(SECRET, { sub: "carol" }),
    });
    expect(await verifiedOf(carol)).toEqual({ sub: "carol", name: null, roles: [] });
    const { answer } = await join(keyed, { display_name: "mallory", token: "forged" });
    expect(answer[1]).toBe("error");
  });
});

describe("ACL rules match verified identity only", () => {
  const OPERATOR_RULE = {
    id: "operator",
    effect: "allow" as const,
    pattern: `["interaction", _, _, "place", _, ["modify_acl", ...]] where "operator" in identity()["roles"]`,
  };
  const NAME_RULE = {
    id: "by-name",
    effect: "allow" as const,
    pattern: `["interaction", _, _, "place", _, ["modify_acl", ...]] where identity()["display_name"] == "operator"`,
  };

  it("a self-declared display name matches nothing; a verified role does", async () => {
    const s = await setup(0, { ...TOKEN_MODE, acl: { rules: [OPERATOR_RULE, NAME_RULE] } });
    const { agent: impostor } = await join(s, {
      display_name: "operator",
      token: await issueToken(SECRET, { sub: "mallory" }),
    });
    const denied = await impostor.request(["modify_acl", "list"]);
    expect(denied[0]).toBe("interaction_denied");
    const { agent: operator } = await join(s, {
      display_name: "anyone",
      token: await issueToken(SECRET, { sub: "ops", roles: ["operator"] }),
    });
    expect((await operator.request(["modify_acl", "list"]))[1]).toBe("ok");
  });

  it("in an open place identity() is null, so an identity rule never matches a display name", async () => {
    const s = await setup(0, { acl: { rules: [NAME_RULE] } });
    const { agent } = await join(s, { display_name: "operator" });
    expect((await agent.request(["modify_acl", "remove", "default-change-components"]))[0]).toBe("interaction_denied");
    const victim = await spawn((await join(s, { display_name: "victim" })).agent, { custom: 1 });
    expect((await agent.request(["change_components", victim, "add_or_change", { custom: 2 }]))[0]).toBe(
      "interaction_denied",
    );
  });
});

describe("launching an app from a place that requires authentication", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (g) =>
          new Promise((r) => {
            g.closeAllConnections();
            g.close(r);
          }),
      ),
    );
  });

  it("sends the gateway the verified identity of the person who asked, and admits the app by its launch token", async () => {
    const seen: { headers: IncomingHttpHeaders; token: string }[] = [];
    const gateway = createServer((req, res) => {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", () => {
        seen.push({ headers: req.headers, token: JSON.parse(text).avatarToken });
        res.writeHead(200).end('{"status":"ok"}');
      });
    });
    servers.push(gateway);
    await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/clock`;
    const s = await setup(0, { ...TOKEN_MODE, launchApp: { allowPrivateAddresses: ["127.0.0.1"] } });
    const { agent: alice } = await join(s, {
      display_name: "I am the admin",
      token: await issueToken(SECRET, { sub: "alice", name: "Alice", roles: ["staff"] }),
    });
    const launching = alice.request(["launch_app", `alloapp:${url}`]);
    await alice.until(() => seen.length === 1);
    expect(JSON.parse(seen[0].headers["x-alloverse-launched-by"] as string)).toEqual({
      display_name: "Alice",
      sub: "alice",
      roles: ["staff"],
      verified: true,
    });
    // The app has no token of its own: the launch token the place made admits it.
    const app = await connectRawAgent(s.place.url);
    expect((await app.announce({ display_name: "clock" }, { avatar: { token: seen[0].token } }))[0]).toBe("announce");
    expect((await launching)[1]).toBe("ok");
    expect(await verifiedOf(app)).toEqual({ sub: `app:${url}`, name: null, roles: ["app"], launched_by: "alice" });
    await app.close();
    // A launch token is good once, and only while its launch waits.
    const late = await connectRawAgent(s.place.url);
    expect((await late.announce({ display_name: "clock" }, { avatar: { token: seen[0].token } }))[1]).toBe("error");
    await late.close();
  });
});
