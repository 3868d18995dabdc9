// Warm standbys end to end: a real place, @allo/gateway, and the greeter app (node + tsx + the Solid hook + @allo/ui),
// kept warm in runApp until a launch hands it the place URL, boot args and identity over IPC.
import { afterEach, describe, expect, it } from "vitest";
import type { Gateway } from "@allo/gateway";
import type { Place } from "@allo/place";
import type { RawAgent } from "@allo/place/testing";
import { childPids } from "../../packages/gateway/test/helpers.ts";
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

async function setup() {
  place = await placeForLaunches({ connectTimeoutMs: 30_000 });
  gateway = await gatewayFor([fixtureApp("greeter")]);
  const ada = await visitor(place, "Ada");
  agents.push(ada);
  return { place, gateway, ada };
}

const launch = (agent: RawAgent, url: string, args: object = {}) =>
  agent.request(["launch_app", url, args as never], { timeoutMs: 40_000 });

async function readyStandby(g: Gateway, other?: number) {
  await poll(() => g.standbys("/greeter").some((s) => s.ready && s.pid !== other), "a ready standby", 30_000);
  return g.standbys("/greeter").find((s) => s.ready && s.pid !== other)!;
}

/** The greeter's label under its avatar: "Hello <launcher>, here is <colour>". */
async function labelOf(place: Place, avatarId: string): Promise<string> {
  const label = () =>
    Object.values(place.world.toDocument().entities).find(
      (e) => (e.components.relationships as { parent?: string } | undefined)?.parent === avatarId,
    )?.components.text as { string: string } | undefined;
  await poll(() => label() !== undefined, "the app's label");
  return label()!.string;
}

describe("launch_app served by a warm standby", () => {
  it("hands the launch to a process that waited unconnected, which joins with this launch's args and launcher only", async () => {
    const { place, gateway, ada } = await setup();
    const standby = await readyStandby(gateway);
    // Loaded and compiled, but not in the place: only Ada is.
    expect(place.agents.size).toBe(1);
    expect(gateway.instances()).toEqual([]);

    const first = await launch(ada, `alloapp:${gateway.url}/greeter`, { color: "teal" });
    expect(first).toEqual(["launch_app", "ok", expect.any(String)]);
    expect(gateway.instances()).toEqual([expect.objectContaining({ pid: standby.pid, warm: true })]);
    expect(place.world.get(first[2] as string)!.components.launch_info).toEqual({
      args: { color: "teal" },
      launched_by: { display_name: "Ada", verified: false },
    });
    expect(await labelOf(place, first[2] as string)).toBe("Hello Ada, here is teal");

    // The pool replenishes with a new process, which serves the next launch; the first process serves Ada only.
    const next = await readyStandby(gateway, standby.pid);
    const bob = await visitor(place, "Bob");
    agents.push(bob);
    const second = await launch(bob, `alloapp:${gateway.url}/greeter`, { color: "plum" });
    expect(second).toEqual(["launch_app", "ok", expect.any(String)]);
    expect(gateway.instances().map((i) => [i.pid, i.warm])).toEqual([
      [standby.pid, true],
      [next.pid, true],
    ]);
    expect(await labelOf(place, second[2] as string)).toBe("Hello Bob, here is plum");
    expect(place.world.get(first[2] as string)!.components.launch_info).toEqual({
      args: { color: "teal" },
      launched_by: { display_name: "Ada", verified: false },
    });
    expect(place.agents.size).toBe(4); // Ada, Bob, and one app process each
  });

  it("starts the app cold when its standby died, and the launch still succeeds", async () => {
    const { place, gateway, ada } = await setup();
    const standby = await readyStandby(gateway);
    process.kill(standby.pid, "SIGKILL");
    const response = await launch(ada, `alloapp:${gateway.url}/greeter`, { color: "ochre" });
    expect(response).toEqual(["launch_app", "ok", expect.any(String)]);
    const [instance] = gateway.instances();
    expect(instance.warm).toBe(false);
    expect(instance.pid).not.toBe(standby.pid);
    expect(await labelOf(place, response[2] as string)).toBe("Hello Ada, here is ochre");
  });

  it("leaves no child process behind on shutdown, and the apps leave the place", async () => {
    const { place, gateway, ada } = await setup();
    await readyStandby(gateway);
    expect((await launch(ada, `alloapp:${gateway.url}/greeter`, { color: "red" }))[1]).toBe("ok");
    await poll(() => gateway.standbys().length > 0, "a replacement standby starting");
    const pids = [...gateway.instances(), ...gateway.standbys()].map((p) => p.pid).filter((pid) => pid > 0);
    await gateway.close();
    expect(pids.map(isAlive)).toEqual(pids.map(() => false));
    expect(childPids()).toEqual([]);
    await poll(() => place.agents.size === 1, "the app to leave the place");
  });
});
