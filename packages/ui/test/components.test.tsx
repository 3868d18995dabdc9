// The component library in a real place, driven by an independent agent as a visor would drive it.
import { afterEach, describe, expect, it } from "vitest";
import { createSignal } from "solid-js";
import type { Entity } from "@allo/protocol";
import { mountForTest, type TestMount } from "@allo/testing";
import {
  Box,
  Button,
  Frame,
  Grid,
  Label,
  Slider,
  Stack,
  TextField,
  GrabHandle,
  NavStack,
  ResizeHandle,
  Tabs,
  useNav,
  View,
  Model,
  Pose,
} from "../src/index.ts";

let mount: TestMount | undefined;
afterEach(async () => {
  await mount?.close();
  mount = undefined;
});

const textOf = (e: Entity | undefined) => (e?.components.text as { string?: string } | undefined)?.string;
const byText = (m: TestMount, s: string) => m.find((e) => textOf(e) === s);
const colorOf = (e: Entity | undefined) => (e?.components.material as { color?: number[] } | undefined)?.color;
const positionOf = (e: Entity | undefined) => (e?.components.transform as { matrix: number[] }).matrix.slice(12, 15);

describe("Button", () => {
  it("activates on a completed poke, and not when the hand leaves before releasing", async () => {
    const [n, setN] = createSignal(0);
    mount = await mountForTest(() => (
      <View>
        <Button label={`pressed ${n()}`} onActivated={() => setN((x) => x + 1)} />
      </View>
    ));
    const label = byText(mount, "pressed 0")!;
    const button = mount
      .entities()
      .find((e) => e.id === (label.components.relationships as { parent: string }).parent)!;
    expect(button.components.collider).toEqual({ type: "box", width: 0.5, height: 0.25, depth: 0.1 });
    expect(await mount.poke(button.id)).toEqual([
      ["poke", "ok"],
      ["poke", "ok"],
    ]);
    await mount.until(() => textOf(mount!.find((e) => e.id === label.id)) === "pressed 1");

    // press, point-exit, release: cancelled
    await mount.observer.request(mount.observer.avatarId, button.id, ["poke", true]);
    mount.observer.send(mount.observer.avatarId, button.id, ["point-exit"]);
    await mount.observer.request(mount.observer.avatarId, button.id, ["poke", false]);
    await mount.settle();
    expect(textOf(mount.find((e) => e.id === label.id))).toBe("pressed 1");
  });

  it("shows highlight while pointed at and a darker colour while pressed", async () => {
    mount = await mountForTest(() => (
      <View>
        <Button label="b" color="#ff0000" />
      </View>
    ));
    const label = byText(mount, "b")!;
    const buttonId = (label.components.relationships as { parent: string }).parent;
    const cube = () =>
      mount!
        .entities()
        .find((e) => (e.components.relationships as { parent?: string })?.parent === buttonId && e.components.geometry);
    expect(colorOf(cube())).toEqual([1, 0, 0, 1]);
    mount.observer.send(mount.observer.avatarId, buttonId, ["point", [0, 0, 1], [0, 0, 0]]);
    await mount.until(() => colorOf(cube())?.[0] === 0.8, "highlight");
    await mount.observer.request(mount.observer.avatarId, buttonId, ["poke", true]);
    await mount.until(() => Math.abs(colorOf(cube())![0] - 0.6) < 1e-9, "pressed");
  });

  it("answers failed when onActivated throws, and still works after", async () => {
    let fail = true;
    const [n, setN] = createSignal(0);
    mount = await mountForTest(
      () => (
        <View>
          <Button
            label={`n ${n()}`}
            onActivated={() => {
              if (fail) throw new Error("not ready");
              setN(1);
            }}
          />
        </View>
      ),
      { logLevel: "silent" },
    );
    const buttonId = (byText(mount, "n 0")!.components.relationships as { parent: string }).parent;
    expect((await mount.poke(buttonId))[1]).toEqual(["poke", "failed", "not ready"]);
    // and shakes: four chained translation.x animations on the button
    await mount.until(
      () =>
        Object.keys(
          (mount!.find((e) => e.id === buttonId)?.components.property_animations as { animations?: object } | undefined)
            ?.animations ?? {},
        ).length > 0,
      "shake",
    );
    fail = false;
    expect((await mount.poke(buttonId))[1]).toEqual(["poke", "ok"]);
    await mount.until(() => !!byText(mount!, "n 1"));
  });
});

describe("Slider", () => {
  it("sets its value from where the hand points while poking", async () => {
    const values: number[] = [];
    mount = await mountForTest(() => (
      <View pose={Pose.at(1, 1, 0)}>
        <Slider min={0} max={10} onValueChanged={(v) => values.push(v)} />
      </View>
    ));
    const slider = mount
      .entities()
      .find((e) => (e.components.collider as { width?: number } | undefined)?.width === 0.8)!;
    // The slider is 0.8 m wide at world x = 1: pointing at x = 1.2 is 3/4 along.
    mount.observer.send(mount.observer.avatarId, slider.id, ["point", [1.2, 1, 1], [1.2, 1, 0]]);
    await mount.observer.request(mount.observer.avatarId, slider.id, ["poke", true]);
    expect(values).toHaveLength(1);
    expect(values[0]).toBeCloseTo(7.5);
    await mount.until(() => !!byText(mount!, "7.50"), "knob label shows the value");
  });
});

describe("TextField", () => {
  it("takes text input and keys once focused, and calls onReturn", async () => {
    const returned: string[] = [];
    mount = await mountForTest(() => (
      <View>
        <TextField placeholder="name?" onReturn={(t) => void returned.push(t)} />
      </View>
    ));
    const field = mount.entities().find((e) => e.components.focus)!;
    const as = mount.observer.avatarId;
    expect(await mount.observer.request(as, field.id, ["focus"])).toEqual(["focus", "ok"]);
    mount.observer.send(as, field.id, ["textinput", "allo!"]);
    mount.observer.send(as, field.id, ["keydown", "backspace"]);
    mount.observer.send(as, field.id, ["keydown", "return"]);
    await mount.until(() => !!byText(mount!, "allo"), "typed text");
    expect(returned).toEqual(["allo"]);
    expect(byText(mount, "allo")!.components.text).toMatchObject({ insertionMarker: true, halign: "left" });
  });
});

describe("layout", () => {
  it("Stack places children in a centred column, spacing apart", async () => {
    mount = await mountForTest(() => (
      <View>
        <Stack spacing={0.1}>
          <Box size={[0.2, 0.2, 0.2]} color="#ff0000" />
          <Box size={[0.2, 0.4, 0.2]} color="#00ff00" />
        </Stack>
      </View>
    ));
    const red = mount.find((e) => colorOf(e)?.[0] === 1)!;
    const green = mount.find((e) => colorOf(e)?.[1] === 1)!;
    const slot = (e: Entity) =>
      mount!.entities().find((x) => x.id === (e.components.relationships as { parent: string }).parent)!;
    expect(positionOf(slot(red))).toEqual([0, 0.25, 0]);
    expect(positionOf(slot(green))).toEqual([0, -0.15, 0]);
  });

  it("Stack follows a child whose size changes", async () => {
    const [tall, setTall] = createSignal(false);
    mount = await mountForTest(() => (
      <View>
        <Stack spacing={0}>
          <Box size={[0.2, tall() ? 0.6 : 0.2, 0.2]} color="#ff0000" />
          <Box size={[0.2, 0.2, 0.2]} color="#00ff00" />
        </Stack>
      </View>
    ));
    const slot = (e: Entity) =>
      mount!.entities().find((x) => x.id === (e.components.relationships as { parent: string }).parent)!;
    const green = () => mount!.find((e) => colorOf(e)?.[1] === 1)!;
    expect(positionOf(slot(green()))).toEqual([0, -0.1, 0]);
    setTall(true);
    await mount.settle();
    expect(positionOf(slot(green()))[1]).toBeCloseTo(-0.3, 9);
  });

  it("Grid flows children into rows", async () => {
    mount = await mountForTest(() => (
      <View>
        <Grid columns={2} spacing={0}>
          {[1, 2, 3].map((i) => (
            <Label text={`cell ${i}`} size={[0.5, 0.5, 0.01]} />
          ))}
        </Grid>
      </View>
    ));
    const slot = (t: string) =>
      mount!
        .entities()
        .find((x) => x.id === (byText(mount!, t)!.components.relationships as { parent: string }).parent)!;
    expect(positionOf(slot("cell 1"))).toEqual([-0.25, 0.25, 0]);
    expect(positionOf(slot("cell 2"))).toEqual([0.25, 0.25, 0]);
    expect(positionOf(slot("cell 3"))).toEqual([-0.25, -0.25, 0]);
  });

  it("Frame is four bars; GrabHandle moves its parent; Model points at an asset", async () => {
    mount = await mountForTest(() => (
      <View>
        <Frame size={[1, 1, 0.02]} />
        <GrabHandle />
        <Model asset="asset:sha256:abc" />
      </View>
    ));
    expect(
      mount.entities().filter((e) => (e.components.geometry as { type?: string } | undefined)?.type === "inline"),
    ).toHaveLength(5);
    expect(mount.find((e) => !!e.components.grabbable)!.components.grabbable).toEqual({
      grabbable: true,
      actuate_on: "$parent",
      rotation_constraint: [0, 1, 0],
    });
    expect(
      mount.find((e) => (e.components.geometry as { type?: string } | undefined)?.type === "asset")!.components
        .geometry,
    ).toEqual({ type: "asset", name: "asset:sha256:abc" });
  });
});

describe("navigation", () => {
  it("NavStack pushes a view and its back button pops it", async () => {
    function Home() {
      const nav = useNav();
      return <Button label="more" onActivated={() => nav.push(() => <Label text="detail" />)} />;
    }
    mount = await mountForTest(() => (
      <View>
        <NavStack>
          <Home />
        </NavStack>
      </View>
    ));
    const more = (byText(mount, "more")!.components.relationships as { parent: string }).parent;
    await mount.poke(more);
    await mount.until(() => !!byText(mount!, "detail") && !byText(mount!, "more"), "detail shown");
    const back = (byText(mount, "<")!.components.relationships as { parent: string }).parent;
    await mount.poke(back);
    await mount.until(() => !byText(mount!, "detail") && !!byText(mount!, "more") && !byText(mount!, "<"), "back home");
  });

  it("Tabs shows one tab's content at a time", async () => {
    mount = await mountForTest(() => (
      <View>
        <Tabs
          tabs={[
            { name: "One", content: () => <Label text="first" /> },
            { name: "Two", content: () => <Label text="second" /> },
          ]}
        />
      </View>
    ));
    expect(byText(mount, "first")).toBeDefined();
    const two = (byText(mount, "Two")!.components.relationships as { parent: string }).parent;
    await mount.poke(two);
    await mount.until(() => !!byText(mount!, "second") && !byText(mount!, "first"), "second tab");
  });
});

describe("ResizeHandle", () => {
  it("moves itself when grabbed (within its constraints) and reports where it ended up", async () => {
    const resized: number[][] = [];
    const grabs: boolean[] = [];
    mount = await mountForTest(() => (
      <View>
        <ResizeHandle
          position={[0.5, -0.5, 0]}
          onGrab={(e) => void grabs.push(e.grabbing)}
          onResized={(m) => void resized.push(m)}
        />
      </View>
    ));
    const handle = mount.find((e) => !!e.components.grabbable)!;
    expect(handle.components).toMatchObject({
      cursor: { name: "resizeCursor" },
      grabbable: { translation_constraint: [1, 1, 0] },
    });
    const as = mount.observer.avatarId;
    mount.observer.send(as, handle.id, ["grabbing", true]);
    // The hand holds the handle at (0.8, -0.7, 0.3): z is constrained away.
    const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    mount.observer.setIntent({
      poses: {
        "hand/right": {
          matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0.8, -0.7, 0.3, 1],
          grab: { entity: handle.id, grabber_from_entity_transform: identity },
        },
      },
    });
    const at = () =>
      (mount!.observer.world.entities.get(handle.id)!.components.transform as { matrix: number[] }).matrix.slice(
        12,
        15,
      );
    await mount.until(() => Math.abs(at()[0] - 0.8) < 1e-6, "handle follows the hand");
    expect(at()[1]).toBeCloseTo(-0.7, 6);
    expect(at()[2]).toBeCloseTo(0, 6);
    await (
      mount.appClient as unknown as {
        waitForWorld(
          p: (w: { entities: Map<string, { components: Record<string, unknown> }> }) => boolean,
        ): Promise<void>;
      }
    ).waitForWorld(
      (w) =>
        Math.abs((w.entities.get(handle.id)!.components.transform as { matrix: number[] }).matrix[12] - 0.8) < 1e-6,
    );
    mount.observer.setIntent({ poses: { "hand/right": { matrix: identity } } });
    mount.observer.send(as, handle.id, ["grabbing", false]);
    for (let i = 0; i < 500 && grabs.length < 2; i++) await new Promise<void>((r) => setTimeout(r, 10));
    expect(grabs).toEqual([true, false]);
    expect(resized).toHaveLength(1);
    expect(resized[0][12]).toBeCloseTo(0.8, 6);
  });
});
