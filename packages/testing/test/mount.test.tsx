// mountForTest: the app in a real place, seen by an observer; close() ends what the mount started and nothing else.
import { afterEach, describe, expect, it } from "vitest";
import { createSignal } from "solid-js";
import { connect } from "@allo/client";
import { Button } from "@allo/ui";
import { connectRawAgent, mountForTest, startTestPlace, type Place, type TestMount } from "../src/index.ts";

let mount: TestMount | undefined;
let place: Place | undefined;
afterEach(async () => {
  await mount?.close();
  await place?.close();
  mount = place = undefined;
});

function Counter() {
  const [count, setCount] = createSignal(0);
  return <Button label={`Poked ${count()} times`} onActivated={() => setCount(count() + 1)} />;
}
const labels = () =>
  mount!
    .entities()
    .map((e) => (e.components.text as { string?: string } | undefined)?.string)
    .filter(Boolean);

describe("mountForTest", () => {
  it("shows the app's entities as the observer sees them, nested under its avatar", async () => {
    mount = await mountForTest(() => <Counter />);
    expect(mount.tree()?.id).toBe(mount.app.avatarId);
    expect(mount.entities()[0].id).toBe(mount.app.avatarId);
    expect(labels()).toEqual(["Poked 0 times"]);
    expect(mount.observer.world.entities.get(mount.app.avatarId)).toBeDefined();
  });

  it("pokes as a hand would and waits for what the app did", async () => {
    mount = await mountForTest(() => <Counter />);
    const button = mount.find((e) => e.components.collider !== undefined)!;
    expect(await mount.poke(button.id)).toEqual([
      ["poke", "ok"],
      ["poke", "ok"],
    ]);
    await mount.until(() => labels().includes("Poked 1 times"), "the label after one poke");
    expect(mount.appClient.stats.sentByName.change_components).toBeGreaterThanOrEqual(1);
  });

  it("closes the place it started", async () => {
    mount = await mountForTest(() => <Counter />);
    const url = mount.place.url;
    await mount.close();
    mount = undefined;
    await expect(connect(url, { identity: { display_name: "late" }, timeout: 2000 })).rejects.toThrow();
  });

  it("leaves a place it was given open, and its entities gone", async () => {
    place = await startTestPlace();
    mount = await mountForTest(() => <Counter />, { place });
    const avatarId = mount.app.avatarId;
    await mount.close();
    mount = undefined;
    const agent = await connectRawAgent(place.url);
    expect((await agent.announce())[0]).toBe("announce");
    await agent.until(() => agent.mirror !== undefined && agent.mirror.entities[avatarId] === undefined);
    await agent.close();
  });
});
