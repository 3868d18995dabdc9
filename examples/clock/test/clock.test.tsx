import { afterEach, describe, expect, it } from "vitest";
import { createSignal } from "solid-js";
import type { Entity } from "@allo/protocol";
import { mountForTest, type TestMount } from "@allo/testing";
import { App } from "../src/app.tsx";

let mount: TestMount | undefined;
afterEach(async () => {
  await mount?.close();
  mount = undefined;
});

const textOf = (e: Entity | undefined) => (e?.components.text as { string?: string } | undefined)?.string;
const matrixOf = (e: Entity) => (e.components.transform as { matrix: number[] }).matrix;
const sizeOf = (e: Entity) => (e.components.transform as { size?: number[] }).size;
const parentOf = (e: Entity) => (e.components.relationships as { parent?: string } | undefined)?.parent;
const byText = (m: TestMount, s: string) => m.entities().find((e) => textOf(e) === s);
const buttonOf = (m: TestMount, label: string) => parentOf(byText(m, label)!)!;
/** Anywhere in the place (popups are root entities, outside the app's avatar). */
const anyText = (m: TestMount, s: string) => [...m.observer.world.entities.values()].find((e) => textOf(e) === s);
/** The in-plane angle of a hand (clockwise from 12), from its matrix's Y axis. */
const handAngle = (e: Entity) => {
  const m = matrixOf(e);
  return (Math.atan2(m[4], m[5]) + Math.PI * 2) % (Math.PI * 2);
};

// 10:08:30 UTC
const TEN_OH_EIGHT = Date.UTC(2024, 0, 1, 10, 8, 30);

describe("clock", () => {
  it("shows the digital time, 12 hour markers in a ring around the dial, and hands at the right angles", async () => {
    mount = await mountForTest(() => <App now={() => TEN_OH_EIGHT} utcOffset={0} />);
    expect(byText(mount, "10:08:30")).toBeDefined();
    const face = mount.entities().find((e) => mount!.entities().filter((c) => parentOf(c) === e.id).length === 15)!;
    const parts = mount.entities().filter((e) => parentOf(e) === face.id);
    const markers = parts.filter((e) => sizeOf(e)![1] === 0.07 || sizeOf(e)![1] === 0.04);
    expect(markers).toHaveLength(12);
    for (const marker of markers) {
      const [x, y] = matrixOf(marker).slice(12, 14);
      expect(Math.hypot(x, y)).toBeCloseTo(0.36, 6);
    }
    const hands = parts.filter((e) => !markers.includes(e)).sort((a, b) => sizeOf(a)![1] - sizeOf(b)![1]);
    const [hour, minute, second] = hands.map(handAngle);
    expect(hour).toBeCloseTo(((10 + 8 / 60) / 12) * Math.PI * 2, 5);
    expect(minute).toBeCloseTo(((8 + 30 / 60) / 60) * Math.PI * 2, 5);
    expect(second).toBeCloseTo((30 / 60) * Math.PI * 2, 5);
  });

  it("updates every second with one change per moved hand and the readout", async () => {
    const [now, setNow] = createSignal(TEN_OH_EIGHT);
    mount = await mountForTest(() => <App now={now} utcOffset={0} />);
    const before = mount.appClient.stats.sentByName.change_components ?? 0;
    setNow(TEN_OH_EIGHT + 1000);
    await mount.settle();
    expect(byText(mount, "10:08:31")).toBeDefined();
    // second hand + minute hand (its angle includes seconds) + hour hand (includes minutes: unchanged) + label
    expect((mount.appClient.stats.sentByName.change_components ?? 0) - before).toBe(3);
  });

  it("ticks with the real clock", async () => {
    mount = await mountForTest(() => <App utcOffset={0} />);
    const first = mount
      .entities()
      .map(textOf)
      .find((t) => t && /^\d\d:\d\d:\d\d$/.test(t))!;
    await mount.until(
      () => !byText(mount!, first) && mount!.entities().some((e) => /^\d\d:\d\d:\d\d$/.test(textOf(e) ?? "")),
      "the next second",
    );
  });

  it("opens settings near the hand, shifts the time zone by half hours, and closes", async () => {
    mount = await mountForTest(() => <App now={() => TEN_OH_EIGHT} utcOffset={0} />);
    await mount.poke(buttonOf(mount, "Settings"));
    await mount.until(() => !!anyText(mount!, "UTC+0:00"), "settings popup");
    // The popup is its own root entity, not part of the clock.
    const popupLabel = mount.observer.world.entities;
    const popupRoot = [...popupLabel.values()].find((e) =>
      [...popupLabel.values()].some((c) => parentOf(c) === e.id && textOf(c) === "Time zone"),
    )!;
    expect(parentOf(popupRoot)).toBeUndefined();

    const plus = () => [...mount!.observer.world.entities.values()].find((e) => textOf(e) === "+")!;
    await mount.observer.request(mount.observer.avatarId, parentOf(plus())!, ["poke", true]);
    await mount.observer.request(mount.observer.avatarId, parentOf(plus())!, ["poke", false]);
    await mount.until(() => !!byText(mount!, "10:38:30"), "clock shifted by 30 minutes");
    const label = [...mount.observer.world.entities.values()].find((e) => textOf(e) === "UTC+0:30");
    expect(label).toBeDefined();

    const close = [...mount.observer.world.entities.values()].find((e) => textOf(e) === "Close")!;
    await mount.observer.request(mount.observer.avatarId, parentOf(close)!, ["poke", true]);
    await mount.observer.request(mount.observer.avatarId, parentOf(close)!, ["poke", false]);
    await mount.until(() => !mount!.observer.world.entities.has(popupRoot.id), "popup removed");
  });

  it("quits from its quit button", async () => {
    mount = await mountForTest(() => <App now={() => TEN_OH_EIGHT} utcOffset={0} />);
    const avatar = mount.app.avatarId;
    await mount.poke(buttonOf(mount, "Quit"));
    await mount.until(() => !mount!.observer.world.entities.has(avatar), "app gone");
  });
});
