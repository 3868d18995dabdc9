import { afterEach, describe, expect, it } from "vitest";
import { mountForTest, type TestMount } from "@allo/testing";
import { App } from "../src/app.tsx";

let mount: TestMount | undefined;
afterEach(async () => {
  await mount?.close();
  mount = undefined;
});

const textOf = (e: { components: Record<string, unknown> }) =>
  (e.components.text as { string?: string } | undefined)?.string;

describe("hello", () => {
  it("mounts the avatar, a button, its cube and its label", async () => {
    mount = await mountForTest(() => <App />);
    const tree = mount.tree()!;
    expect(tree.id).toBe(mount.app.avatarId);
    expect(tree.children).toHaveLength(1);
    const button = tree.children[0];
    expect(button.components.collider).toEqual({ type: "box", width: 0.6, height: 0.2, depth: 0.1 });
    expect(button.children.map((c) => (c.components.geometry ? "cube" : textOf(c)))).toEqual(["cube", "Poke me!"]);
    expect(mount.entities()).toHaveLength(4);
  });

  it("counts pokes from another agent in its label", async () => {
    mount = await mountForTest(() => <App />);
    const button = mount.tree()!.children[0];
    expect(await mount.poke(button.id)).toEqual([
      ["poke", "ok"],
      ["poke", "ok"],
    ]);
    await mount.until(() => mount!.entities().some((e) => textOf(e) === "Poked 1 time"), "label after one poke");
    await mount.poke(button.id);
    await mount.until(() => mount!.entities().some((e) => textOf(e) === "Poked 2 times"), "label after two pokes");
  });
});
