// Hosted apps across a place restart: an app launched through @allo/gateway (a real process) reconnects to the place
// that launched it; if that place stays away longer than the gateway's --place-away, the app exits and is reaped.
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect, type AlloClient } from "@allo/client";
import type { Gateway, InstanceExit } from "@allo/gateway";
import type { Place } from "@allo/place";
import { createLogger } from "@allo/protocol";
import type { RawAgent } from "@allo/place/testing";
import { startTestPlace } from "@allo/testing";
import { configureLaunchApp } from "../../packages/place/src/interactions/launch-app.ts";
import { fixtureApp, gatewayFor, isAlive, visitor } from "../hosting/helpers.ts";
import { waitForText } from "./helpers.ts";

// Real processes start here (Node, tsx, the Solid compile): on a loaded machine that alone can take seconds.
vi.setConfig({ testTimeout: 90_000 });

let places: Place[] = [];
let gateway: Gateway | undefined;

const agents: Array<RawAgent | AlloClient> = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await gateway?.close();
  await Promise.all(places.map((p) => p.close()));
  places = [];
  gateway = undefined;
});

/** A place that launches apps (launch_app through the gateway), on `port` (0: a free one). */
function placeForLaunches(port = 0): Promise<Place> {
  // The gateway runs on this machine: a loopback address the place refuses unless allowed (docs/protocol.md §10).
  return startTestPlace({
    port,
    setup: (ctx) => configureLaunchApp(ctx, { connectTimeoutMs: 30_000, allowPrivateAddresses: ["127.0.0.1"] }),
  });
}

async function launchGreeter(options: { placeAwayMs?: number } = {}) {
  const place = await placeForLaunches();
  places.push(place);
  gateway = await gatewayFor([fixtureApp("greeter")], { standby: 0, ...options });
  const ada = await visitor(place, "Ada");
  agents.push(ada);
  const response = await ada.request(["launch_app", `alloapp:${gateway.url}/greeter`, { color: "teal" }], {
    timeoutMs: 40_000,
  });
  expect(response).toEqual(["launch_app", "ok", expect.any(String)]);
  // Connected all the way (its first connect also waits for the clock): its UI is in the place.
  const eye = await connect(place.url, {
    identity: { display_name: "observer" },
    logger: createLogger("observer", "silent"),
  });
  agents.push(eye);
  await waitForText(eye, /Hello Ada, here is teal/, 15_000);
  return { place, gateway };
}

describe("a gateway-launched app and its place", () => {
  it("comes back to its place when the place restarts on the same port", async () => {
    const { place, gateway } = await launchGreeter();
    const [instance] = gateway.instances();
    await place.close({ code: 1012, reason: "restart" });
    const again = await placeForLaunches(place.port);
    places.push(again);
    const eye = await connect(again.url, {
      identity: { display_name: "observer" },
      logger: createLogger("observer", "silent"),
    });
    agents.push(eye);
    // The same process, with the UI it was launched with, in the place that came back.
    await waitForText(eye, /Hello Ada, here is teal/, 15_000);
    expect(gateway.instances().map((i) => i.pid)).toEqual([instance.pid]);
    expect(isAlive(instance.pid)).toBe(true);
  });

  it("exits and is reaped when its place does not come back in time", async () => {
    const { place, gateway } = await launchGreeter({ placeAwayMs: 1_500 });
    const [instance] = gateway.instances();
    const exited = new Promise<InstanceExit>((resolve) => gateway.onExit(resolve));
    await place.close({ code: 1012, reason: "restart" });
    const exit = await exited;
    expect(exit.pid).toBe(instance.pid);
    expect(exit.code).toBe(1);
    expect(exit.stderrTail.join("\n")).toMatch(/gave up reconnecting/);
    expect(exit.runtimeMs).toBeGreaterThanOrEqual(1_500);
    expect(gateway.instances()).toEqual([]);
    expect(isAlive(instance.pid)).toBe(false);
  });
});
