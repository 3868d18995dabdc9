// The app in a real place, seen by another agent the way a visor sees it.
import { afterEach, expect, it } from "vitest";
import { mountForTest, type TestMount } from "@allo/testing";
import App from "../src/app.tsx";

let mount: TestMount | undefined;
afterEach(async () => {
  await mount?.close();
  mount = undefined;
});

const texts = () =>
  mount!
    .entities()
    .map((e) => (e.components.text as { string?: string } | undefined)?.string)
    .filter(Boolean);

it("greets and shows a button", async () => {
  mount = await mountForTest(() => <App />);
  expect(texts()).toEqual(expect.arrayContaining(["Hello from {{displayName}}!", "Poke me"]));
});

it("counts pokes", async () => {
  mount = await mountForTest(() => <App />);
  const button = mount.find((e) => e.components.collider !== undefined && e.id !== mount!.app.avatarId)!;
  await mount.poke(button.id);
  await mount.until(() => texts().includes("Poked 1 time"), "the label after one poke");
});
