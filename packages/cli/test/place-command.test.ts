import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { connectRawAgent } from "@allo/place/testing";

const BIN = fileURLToPath(new URL("../bin/allo.mjs", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function allo(...args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ALLO_LOG_LEVEL: "warn" },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = once(child, "exit").then(([code]) => code as number);
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function firstLines(run: ReturnType<typeof allo>, count: number): Promise<string[]> {
  while (run.out().split("\n").length <= count) {
    if (run.child.exitCode !== null) throw new Error(`allo exited ${run.child.exitCode}: ${run.err()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return run.out().split("\n").slice(0, count);
}

describe("allo place", () => {
  it("prints its URLs, answers /healthz and agents, and stops cleanly on SIGTERM, closing agents with 1012", async () => {
    const run = allo("place", "--port", "0", "--name", "From the CLI");
    const [placeUrl, wsUrl] = await firstLines(run, 2);
    expect(placeUrl).toMatch(/^alloplace:\/\/127\.0\.0\.1:\d+$/);
    expect(wsUrl).toBe(`ws://127.0.0.1:${placeUrl.split(":").at(-1)}/`);
    const health = await (await fetch(wsUrl.replace("ws:", "http:") + "healthz")).json();
    expect(health).toMatchObject({ status: "ok", name: "From the CLI", agents: 0 });
    const agent = await connectRawAgent(wsUrl);
    expect((await agent.announce())[2]).toBe("From the CLI");
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    // 1012 (service restart): agents that reconnect come back when the place does (docs/protocol.md).
    expect(await agent.closed).toEqual({ code: 1012, reason: "place restarting (SIGTERM)" });
  });

  it("announces the public URL it is given", async () => {
    const run = allo("place", "--port", "0", "--public-url", "alloplace://example.org:4000");
    const [placeUrl] = await firstLines(run, 1);
    expect(placeUrl).toBe("alloplace://example.org:4000");
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    const bad = allo("place", "--port", "0", "--public-url", "ftp://nope");
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toContain("--public-url");
  });

  it("explains a bad option and exits 2", async () => {
    const bad = allo("place", "--port", "eleventy");
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toContain("--port must be a port number");
    const unknown = allo("place", "--colour", "red");
    expect(await unknown.exited).toBe(2);
    expect(unknown.err()).toContain("allo place --help");
  });
});

describe("allo place --acl", () => {
  const dir = mkdtempSync(join(tmpdir(), "allo-place-acl-"));
  const file = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };

  it("loads the file's rules before the default ones", async () => {
    const acl = file(
      "acl.json",
      JSON.stringify({ rules: [{ id: "quiet", effect: "deny", pattern: `["list_agents"]` }] }),
    );
    const run = allo("place", "--port", "0", "--acl", acl);
    const [, wsUrl] = await firstLines(run, 2);
    const agent = await connectRawAgent(wsUrl);
    await agent.announce();
    expect(await agent.request(["list_agents"])).toEqual([
      "interaction_denied",
      expect.any(Array),
      `deny ["list_agents"]`,
    ]);
    expect((await agent.request(["kick_agent", "x"]))[0]).toBe("interaction_denied"); // a default rule, still there
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it.each([
    ["a missing file", () => join(dir, "missing.json"), "cannot read the ACL config"],
    ["a file that is not JSON", () => file("broken.json", "{rules: ["), "cannot read the ACL config"],
    [
      "a rule whose pattern does not parse",
      () => file("bad-pattern.json", `{"rules": [{"effect": "deny", "pattern": "[x"}]}`),
      `rules[0].pattern: line 1, column 2: unknown word "x"`,
    ],
    ["an unknown key", () => file("unknown-key.json", `{"rulez": []}`), `unknown key "rulez"`],
    [
      "two rules with one id",
      () =>
        file(
          "twice.json",
          `{"rules": [{"id": "a", "effect": "deny", "pattern": "_"}, {"id": "a", "effect": "allow", "pattern": "_"}]}`,
        ),
      `a rule with id "a" already exists`,
    ],
  ])("refuses %s with exit code 2, saying what is wrong and what the file should hold", async (_, path, problem) => {
    const acl = path();
    const run = allo("place", "--port", "0", "--acl", acl);
    expect(await run.exited).toBe(2);
    expect(run.out()).toBe(""); // no place was started
    expect(run.err()).toContain(`allo place: --acl: `);
    expect(run.err()).toContain(acl);
    expect(run.err()).toContain(problem);
    expect(run.err()).toContain(`Give --acl the path of a JSON file {"rules": [{"effect": "allow"|"deny", "pattern"`);
  });

  it("is described by --help", async () => {
    const run = allo("place", "--help");
    expect(await run.exited).toBe(0);
    expect(run.out()).toContain("--acl FILE");
    expect(run.out()).toMatch(/--acl +a JSON file of ACL rules checked before the default ones/);
  });
});

describe("allo place --auth token and allo token", () => {
  it("makes a secret, refuses agents without a token, and admits one from allo token with its claims", async () => {
    const dir = mkdtempSync(join(tmpdir(), "allo-place-auth-"));
    const secretFile = join(dir, "place.secret");
    const run = allo("place", "--port", "0", "--auth", "token", "--secret-file", secretFile);
    const [placeUrl, wsUrl] = await firstLines(run, 2);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const stranger = await connectRawAgent(wsUrl);
    expect((await stranger.announce({ display_name: "operator" }))[2]).toMatch(/^this place requires authentication/);
    const issued = allo(
      "token",
      "--secret-file",
      secretFile,
      "--sub",
      "alice",
      "--name",
      "Alice",
      "--role",
      "operator",
      "--place",
      placeUrl,
    );
    expect(await issued.exited).toBe(0);
    const [token, invite] = issued.out().trim().split("\n");
    expect(invite).toBe(`http://${new URL(wsUrl).host}/#token=${token}`);
    const alice = await connectRawAgent(wsUrl);
    expect((await alice.announce({ display_name: "alice", token }))[0]).toBe("announce");
    const [, , agents] = await alice.request(["list_agents"]);
    expect(agents[0].verified_identity).toEqual({ sub: "alice", name: "Alice", roles: ["operator"] });
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    await Promise.all([stranger.closed, alice.closed]);
  });

  it("refuses to listen beyond loopback without a choice of who may join", async () => {
    const run = allo("place", "--port", "0", "--host", "0.0.0.0");
    expect(await run.exited).toBe(2);
    expect(run.out()).toBe("");
    expect(run.err()).toMatch(/--auth token --secret-file FILE .* --auth open admits anyone/);
  });

  it("allo token without a secret says where to get one", async () => {
    const run = allo("token", "--sub", "bob", "--secret-file", join(tmpdir(), "no-such-allo-secret"));
    expect(await run.exited).toBe(2);
    expect(run.err()).toMatch(/no secret file .*--auth token --secret-file/);
  });
});

describe("allo", () => {
  it("lists its commands with --help", async () => {
    const run = allo("--help");
    expect(await run.exited).toBe(0);
    expect(run.out()).toContain("place");
  });

  it("refuses an unknown command with a readable error and exit code 2", async () => {
    const run = allo("teleport");
    expect(await run.exited).toBe(2);
    expect(run.err()).toContain(`unknown command "teleport"`);
  });
});
