// launch_app end to end: a place, @allo/gateway on localhost, real app processes (docs/protocol.md §8).
import { afterEach, describe, expect, it } from "vitest";
import type { Gateway } from "@allo/gateway";
import { issueToken, type Place } from "@allo/place";
import { connectRawAgent, startTestPlace, type RawAgent } from "@allo/place/testing";
import { fixtureApp, gatewayFor, isAlive, placeForLaunches, poll, visitor } from "./helpers.ts";

let place: Place | undefined;
let gateway: Gateway | undefined;
let agents: RawAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
  await gateway?.close();
  await place?.close();
  gateway = place = undefined;
});

async function setup(options: { connectTimeoutMs?: number; maxInstancesPerApp?: number } = {}) {
  place = await placeForLaunches({ connectTimeoutMs: options.connectTimeoutMs ?? 30_000 });
  gateway = await gatewayFor([fixtureApp("greeter"), fixtureApp("crash-on-start")], {
    maxInstancesPerApp: options.maxInstancesPerApp,
  });
  const agent = await visitor(place, "Ada");
  agents.push(agent);
  return { place, gateway, agent };
}

const launch = (agent: RawAgent, url: string, args: object = {}) =>
  agent.request(["launch_app", url, args as never], { timeoutMs: 40_000 });

describe("launch_app through @allo/gateway", () => {
  it("starts a real app process that joins the place with its UI, its launch args and its launcher's identity", async () => {
    const { place, gateway, agent } = await setup();
    const response = await launch(agent, `alloapp:${gateway.url}/greeter`, { color: "teal" });
    expect(response).toEqual(["launch_app", "ok", expect.any(String)]);
    const avatarId = response[2] as string;
    expect(place.world.get(avatarId)).toBeDefined();
    // The app process is a real, separate process, and the agent that owns the avatar is it.
    const [instance] = gateway.instances("/greeter");
    expect(instance.pid).not.toBe(process.pid);
    const appAgent = [...place.agents.values()].find((a) => a.avatarId === avatarId)!;
    expect(appAgent.identity).toEqual({ display_name: "Greeter" });
    // Its UI: the avatar carries what it was launched with; its child shows it as text.
    await poll(
      () => Object.values(place.world.toDocument().entities).some((e) => e.components.text !== undefined),
      "the app's label",
    );
    const entities = Object.values(place.world.toDocument().entities);
    expect(place.world.get(avatarId)!.components.launch_info).toEqual({
      args: { color: "teal" },
      launched_by: { display_name: "Ada", verified: false },
    });
    const label = entities.find(
      (e) => (e.components.relationships as { parent?: string } | undefined)?.parent === avatarId,
    );
    expect(label?.components.text).toEqual({ string: "Hello Ada, here is teal" });
  });

  it("from a place that requires tokens: the app gets the verified identity of who asked, and joins by its launch token", async () => {
    const secret = "a secret of thirty-two bytes or more, for this test";
    place = await startTestPlace({
      auth: { mode: "token", secret },
      launchApp: { allowPrivateAddresses: ["127.0.0.1"] },
    });
    gateway = await gatewayFor([fixtureApp("greeter")]);
    const ada = await connectRawAgent(place.url, { timeoutMs: 40_000 });
    agents.push(ada);
    await ada.announce(
      {
        display_name: "the admin, honest",
        token: await issueToken(secret, { sub: "ada", name: "Ada", roles: ["math"] }),
      },
      {},
    );
    const response = await launch(ada, `alloapp:${gateway.url}/greeter`, { color: "teal" });
    expect(response).toEqual(["launch_app", "ok", expect.any(String)]);
    const avatarId = response[2] as string;
    expect(place.world.get(avatarId)!.components.launch_info).toEqual({
      args: { color: "teal" },
      launched_by: { display_name: "Ada", sub: "ada", roles: ["math"], verified: true },
    });
    const appAgent = [...place.agents.values()].find((a) => a.avatarId === avatarId)!;
    expect(appAgent.verified).toEqual({
      sub: `app:${gateway.url}/greeter`,
      name: null,
      roles: ["app"],
      launched_by: "ada",
    });
  });

  it("answers with the gateway's error when the app cannot be started (HTTP 500, relayed)", async () => {
    const { place } = await setup();
    const broken = { ...fixtureApp("greeter", "/broken"), command: ["/nonexistent/node"] };
    const brokenGateway = await gatewayFor([broken]);
    try {
      const response = await launch(agents[0], `alloapp:${brokenGateway.url}/broken`);
      expect(response).toEqual(["launch_app", "error", "could not start greeter: spawn /nonexistent/node ENOENT"]);
    } finally {
      await brokenGateway.close();
    }
    expect(place.agents.size).toBe(1);
  });

  it("answers an error when the gateway is down", async () => {
    const { gateway, agent } = await setup();
    const url = gateway.url;
    await gateway.close();
    expect(await launch(agent, `alloapp:${url}/greeter`)).toEqual([
      "launch_app",
      "error",
      `Failed to reach the app gateway at ${url}/greeter: ECONNREFUSED`,
    ]);
  });

  it("answers 'app did not connect' for an app that crashes on start, and the gateway reaps it", async () => {
    const { gateway, agent, place } = await setup({ connectTimeoutMs: 5000 });
    const exited = new Promise<import("@allo/gateway").InstanceExit>((resolve) => gateway.onExit(resolve));
    const response = await launch(agent, `alloapp:${gateway.url}/crash-on-start`);
    expect(response).toEqual(["launch_app", "error", "app did not connect"]);
    const exit = await exited;
    expect(exit.appPath).toBe("/crash-on-start");
    expect(exit.code).not.toBe(0);
    expect(exit.stderrTail.join("\n")).toContain("crash-on-start: no settings (a bug at start)");
    expect(isAlive(exit.pid)).toBe(false);
    expect(gateway.instances()).toEqual([]);
    expect(place.agents.size).toBe(1);
  });

  it("refuses a path that tries to leave the app folders", async () => {
    const { gateway, agent } = await setup();
    expect(await launch(agent, `alloapp:${gateway.url}/greeter/..%2f..%2fcrash-on-start`)).toEqual([
      "launch_app",
      "error",
      "refused: the path tries to leave the app folder",
    ]);
    // A plain "../" is resolved by URL rules before anything is sent, and then names no app.
    expect(await launch(agent, `alloapp:${gateway.url}/greeter/../../etc/passwd`)).toEqual([
      "launch_app",
      "error",
      "no app is served at /etc/passwd; GET / lists the apps",
    ]);
    expect(gateway.instances()).toEqual([]);
  });

  it("refuses a launch over the app's instance limit", async () => {
    const { gateway, agent } = await setup({ maxInstancesPerApp: 1 });
    expect((await launch(agent, `alloapp:${gateway.url}/greeter`))[1]).toBe("ok");
    expect(await launch(agent, `alloapp:${gateway.url}/greeter`)).toEqual([
      "launch_app",
      "error",
      "greeter runs its limit of 1 instances; try again later",
    ]);
    expect(gateway.instances()).toHaveLength(1);
  });
});
