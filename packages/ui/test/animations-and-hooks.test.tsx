// Property animations and the app hooks, against a real place.
import { afterEach, describe, expect, it } from "vitest";
import { createSignal, Show, type Accessor } from "solid-js";
import type { Entity } from "@allo/protocol";
import { mountForTest, type TestMount } from "@allo/testing";
import {
  animate,
  Animation,
  onQuit,
  shake,
  Speaker,
  useAgents,
  useLaunchArgs,
  useLaunchedBy,
  useServerTime,
  View,
  type AgentInfo,
  type EntityNode,
} from "../src/index.ts";

let mount: TestMount | undefined;
afterEach(async () => {
  await mount?.close();
  mount = undefined;
});

const uiName = (e: Entity | undefined) => (e?.components.ui as { view_id?: string } | undefined)?.view_id;
const animationsOf = (e: Entity | undefined) =>
  Object.values(
    (e?.components.property_animations as { animations?: Record<string, { path: string }> } | undefined)?.animations ??
      {},
  );

describe("animate()", () => {
  it("starts a place-side animation on the entity and removes it when its scope is cleaned up", async () => {
    const [spinning, setSpinning] = createSignal(true);
    let id: Promise<string> | undefined;
    mount = await mountForTest(() => {
      let node!: EntityNode;
      return (
        <entity>
          <entity ui={{ view_id: "spinner" }} ref={node}>
            <Show when={spinning()}>
              {(() => {
                id = animate(node, {
                  path: "transform.matrix.rotation.y",
                  from: 0,
                  to: 6.28,
                  duration: 2,
                  repeats: true,
                });
                return null;
              })()}
            </Show>
          </entity>
        </entity>
      );
    });
    expect(await id).toMatch(/\S/);
    await mount.until(
      () => animationsOf(mount!.find((e) => uiName(e) === "spinner")).length === 1,
      "animation visible",
    );
    expect(animationsOf(mount.find((e) => uiName(e) === "spinner"))[0].path).toBe("transform.matrix.rotation.y");
    setSpinning(false);
    await mount.until(
      () => animationsOf(mount!.find((e) => uiName(e) === "spinner")).length === 0,
      "animation removed",
    );
  });

  it("has a declarative form, and standard animations", async () => {
    let node!: EntityNode;
    mount = await mountForTest(() => (
      <entity>
        <entity ui={{ view_id: "pulse" }}>
          <Animation
            path="transform.matrix.scale"
            from={[1, 1, 1]}
            to={[1.2, 1.2, 1.2]}
            duration={1}
            repeats
            autoreverses
          />
        </entity>
        <entity
          ui={{ view_id: "shaky" }}
          ref={node}
          transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0.5, 0, 0, 1] }}
        />
      </entity>
    ));
    await mount.until(
      () => animationsOf(mount!.find((e) => uiName(e) === "pulse")).length === 1,
      "declarative animation",
    );
    const ids = await shake(node);
    expect(new Set(ids).size).toBe(4);
  });

  it("rejects with a readable error when the entity is not an entity", async () => {
    await expect(animate(undefined, { path: "transform.matrix.scale", to: [1, 1, 1] })).rejects.toThrow(/entity ref/);
  });
});

describe("hooks", () => {
  it("give launch args and launcher, server time, agents, and onQuit", async () => {
    let args: Record<string, unknown> = {};
    let launchedBy: unknown;
    let time!: Accessor<number>;
    let agents!: Accessor<AgentInfo[]>;
    const quits: string[] = [];
    function Probe() {
      args = useLaunchArgs();
      launchedBy = useLaunchedBy();
      time = useServerTime(50);
      agents = useAgents();
      onQuit(() => void quits.push("bye"));
      return <View />;
    }
    mount = await mountForTest(() => <Probe />, {
      render: { launch: { args: { avatarToken: "secret", color: "red" }, launchedBy: { display_name: "nevyn" } } },
    });
    expect(args).toEqual({ color: "red" });
    expect(launchedBy).toEqual({ display_name: "nevyn" });
    const t0 = time();
    expect(Math.abs(t0 - mount.observer.serverTime())).toBeLessThan(5);
    await mount.until(() => agents().some((a) => a.display_name === "observer"), "the observer listed");
    expect(await mount.observer.request(mount.observer.avatarId, mount.app.avatarId, ["quit"])).toEqual(["quit", "ok"]);
    await mount.until(() => !mount!.observer.world.entities.has(mount!.app.avatarId), "app gone");
    expect(quits).toEqual(["bye"]);
  });
});

describe("Speaker", () => {
  it("allocates a live audio track and hands its id over", async () => {
    let track: Promise<number> | undefined;
    mount = await mountForTest(() => {
      let resolve!: (n: number) => void;
      track = new Promise((r) => (resolve = r));
      return (
        <View>
          <Speaker onTrack={resolve} />
        </View>
      );
    });
    const id = await track!;
    expect(Number.isInteger(id)).toBe(true);
    await mount.until(
      () =>
        mount!.entities().some((e) => (e.components.live_media as { track_id?: number } | undefined)?.track_id === id),
      "live_media on the speaker",
    );
  });
});
