import { afterEach, describe, expect, it } from "vitest";
import type { Entity } from "@allo/protocol";
import { mountForTest, type TestMount } from "@allo/testing";
import { App } from "../src/app.tsx";
import { loadRows, parseCsv } from "../src/data.ts";

let mount: TestMount | undefined;
afterEach(async () => {
  await mount?.close();
  mount = undefined;
});

const sizeOf = (e: Entity) => (e.components.transform as { size?: number[] }).size;
const isBar = (e: Entity) =>
  (e.components.geometry as { type?: string } | undefined)?.type === "inline" &&
  sizeOf(e)?.[0] === 0.05 &&
  sizeOf(e)?.[2] === 0.05;

describe("plot3d", () => {
  it("reads the bundled CSV", () => {
    const rows = loadRows();
    expect(rows).toHaveLength(360);
    expect(rows[0]).toEqual({ year: 1995, month: 1, value: -1.3 });
    expect(() => parseCsv("year,month,t\n1995,x,1")).toThrow(/line 2/);
  });

  it("spawns one bar per row, with heights following the values, in one message", async () => {
    mount = await mountForTest(() => <App />);
    const bars = mount.entities().filter(isBar);
    expect(bars).toHaveLength(360);
    const rows = loadRows();
    const tallest = bars.reduce((a, b) => (sizeOf(a)![1] > sizeOf(b)![1] ? a : b));
    expect(sizeOf(tallest)![1]).toBeCloseTo(0.81, 6);
    const hottest = rows.reduce((a, b) => (a.value > b.value ? a : b));
    expect(hottest.month).toBeGreaterThanOrEqual(6);
    // ~400 entities, all spawned with the avatar by the announce: no spawn_entity at all.
    expect(mount.entities().length).toBeGreaterThan(380);
    expect(mount.appClient.stats.sentByName.spawn_entity ?? 0).toBe(0);
  });

  it("has a grab handle that moves the whole plot, turning only about Y", async () => {
    mount = await mountForTest(() => <App />);
    const handle = mount.entities().find((e) => e.components.grabbable)!;
    expect(handle.components.grabbable).toEqual({
      grabbable: true,
      actuate_on: "$parent",
      rotation_constraint: [0, 1, 0],
    });
    expect((handle.components.relationships as { parent: string }).parent).toBe(mount.app.avatarId);

    // A hand at (1, 1, 0) grabs the handle where it is: the place moves the plot (the handle's parent) there.
    const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    mount.observer.setIntent({
      poses: {
        "hand/right": {
          matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1],
          grab: { entity: handle.id, grabber_from_entity_transform: identity },
        },
      },
    });
    const avatarAt = () =>
      (
        mount!.observer.world.entities.get(mount!.app.avatarId)!.components.transform as { matrix: number[] }
      ).matrix.slice(12, 15);
    await mount.until(() => Math.abs(avatarAt()[0] - 1) < 1e-6, "the plot follows the hand");
    const [x, y, z] = avatarAt();
    expect(x).toBeCloseTo(1, 6);
    expect(y).toBeCloseTo(1 - 0.01, 6);
    expect(z).toBeCloseTo(-(30 * 0.06) / 2 - 0.15, 6);
  });
});
