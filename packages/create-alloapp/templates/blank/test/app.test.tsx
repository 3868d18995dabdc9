// The app in a real place, seen by another agent the way a visor sees it.
import { afterEach, expect, it } from "vitest";
import { mountForTest, type TestMount } from "@allo/testing";
import App from "../src/app.tsx";

let mount: TestMount | undefined;
afterEach(async () => {
  await mount?.close();
  mount = undefined;
});

it("shows its surface in the place", async () => {
  mount = await mountForTest(() => <App />);
  expect(mount.tree()?.id).toBe(mount.app.avatarId);
  expect(mount.tree()?.components.geometry).toBeDefined();
});
