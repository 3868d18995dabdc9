// The renderer against a real place: an independent observer agent sees what the app's JSX and signals do.
import { afterEach, describe, expect, it } from "vitest";
import { createSignal, For, Show } from "solid-js";
import { Dynamic, type EntityNode, type EntityProps } from "../src/index.ts";
import { mountForTest, type TestMount } from "@allo/testing";

let mount: TestMount | undefined;
afterEach(async () => {
  await mount?.close();
  mount = undefined;
});

const WORLD_CHANGES = ["spawn_entity", "change_components", "remove_entity", "list_agents"];
/** World-changing messages the app's client sent, by interaction name, since `since` (list_agents: settle()'s ping). */
function sentSince(m: TestMount, since: Record<string, number>) {
  const now = m.appClient.stats.sentByName;
  const out: Record<string, number> = {};
  for (const name of WORLD_CHANGES)
    if ((now[name] ?? 0) !== (since[name] ?? 0)) out[name] = now[name] - (since[name] ?? 0);
  return out;
}
const snapshot = (m: TestMount) => ({ ...m.appClient.stats.sentByName });
const uiName = (e: { components: Record<string, unknown> } | undefined) =>
  (e?.components.ui as { view_id?: string } | undefined)?.view_id;

describe("mounting", () => {
  it("creates exactly the entity tree the JSX describes, with the root as the app's avatar", async () => {
    mount = await mountForTest(() => (
      <entity ui={{ view_id: "root" }} transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1] }}>
        <entity ui={{ view_id: "a" }} collider={{ type: "box", width: 1, height: 1, depth: 1 }}>
          <entity ui={{ view_id: "a1" }} />
        </entity>
        <entity ui={{ view_id: "b" }} text={{ string: "hi" }} />
      </entity>
    ));
    const tree = mount.tree()!;
    expect(tree.id).toBe(mount.app.avatarId);
    const shape = (t: NonNullable<ReturnType<TestMount["tree"]>>): unknown => ({
      name: uiName(t),
      children: t.children.map(shape),
    });
    expect(shape(tree)).toEqual({
      name: "root",
      children: [
        { name: "a", children: [{ name: "a1", children: [] }] },
        { name: "b", children: [] },
      ],
    });
    expect(mount.find((e) => uiName(e) === "b")!.components.text).toEqual({ string: "hi" });
    expect(mount.find((e) => uiName(e) === "a")!.components.collider).toEqual({
      type: "box",
      width: 1,
      height: 1,
      depth: 1,
    });
    // The whole tree went with the announce (the avatar spawned with its children): no spawn_entity at all.
    expect(mount.appClient.stats.sentByName.announce).toBe(1);
    expect(mount.appClient.stats.sentByName.spawn_entity ?? 0).toBe(0);
  });
});

describe("updates", () => {
  it("turns 1,000 signal writes in one tick into one change_components carrying only the changed component", async () => {
    const [count, setCount] = createSignal(0);
    mount = await mountForTest(() => (
      <entity>
        <entity
          ui={{ view_id: "counter" }}
          transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }}
          text={{ string: `count ${count()}` }}
        />
      </entity>
    ));
    const before = snapshot(mount);
    const frames: string[] = [];
    const sub = mount.appClient.outgoing$.subscribe(({ text }) => frames.push(text));
    for (let i = 1; i <= 1000; i++) setCount(i);
    await mount.settle();
    sub.unsubscribe();
    expect(sentSince(mount, before)).toEqual({ change_components: 1, list_agents: 1 });
    const change = frames.map((f) => JSON.parse(f)).find((m) => m[5]?.[0] === "change_components");
    expect(change[5]).toEqual([
      "change_components",
      mount.find((e) => uiName(e) === "counter")!.id,
      "add_or_change",
      { text: { string: "count 1000" } },
      "remove",
      [],
    ]);
    await mount.until(
      () =>
        (mount!.find((e) => uiName(e) === "counter")?.components.text as { string: string }).string === "count 1000",
    );
  });

  it("compares by value at the flush: components rewritten with equal new objects are left out of the message", async () => {
    const [n, setN] = createSignal(0);
    // A spread re-runs whole: every prop gets a new object on each run, equal or not.
    const props = (): EntityProps => ({
      transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] },
      material: { color: [1, 0, 0, 1] },
      text: { string: `n ${n()}` },
    });
    mount = await mountForTest(() => (
      <entity>
        <entity ui={{ view_id: "spread" }} {...props()} />
      </entity>
    ));
    const before = snapshot(mount);
    const frames: string[] = [];
    const sub = mount.appClient.outgoing$.subscribe(({ text }) => frames.push(text));
    for (let i = 1; i <= 100; i++) setN(i);
    await mount.settle();
    sub.unsubscribe();
    expect(sentSince(mount, before)).toEqual({ change_components: 1, list_agents: 1 });
    const change = frames.map((f) => JSON.parse(f)).find((m) => m[5]?.[0] === "change_components");
    expect(change[5][3]).toEqual({ text: { string: "n 100" } });
  });

  it("sends nothing for a value written back to what the place already has", async () => {
    const [y, setY] = createSignal(0);
    mount = await mountForTest(() => (
      <entity>
        <entity transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, y(), 0, 1] }} />
      </entity>
    ));
    const before = snapshot(mount);
    setY(1);
    setY(0);
    await mount.settle();
    expect(sentSince(mount, before)).toEqual({ list_agents: 1 });
  });

  it("removes a component set to undefined or false", async () => {
    const [on, setOn] = createSignal(true);
    mount = await mountForTest(() => (
      <entity>
        <entity ui={{ view_id: "x" }} cursor={on() && { name: "brush" }} />
      </entity>
    ));
    expect(mount.find((e) => uiName(e) === "x")!.components.cursor).toEqual({ name: "brush" });
    setOn(false);
    await mount.settle();
    expect(mount.find((e) => uiName(e) === "x")!.components.cursor).toBeUndefined();
  });
});

describe("structure changes", () => {
  it("sends nothing when <For> reorders its items", async () => {
    const [items, setItems] = createSignal(["a", "b", "c"]);
    mount = await mountForTest(() => (
      <entity>
        <For each={items()}>{(name) => <entity ui={{ view_id: name }} />}</For>
      </entity>
    ));
    const ids = mount
      .entities()
      .map((e) => e.id)
      .sort();
    const before = snapshot(mount);
    setItems(["c", "a", "b"]);
    await mount.settle();
    setItems(["b", "c", "a"]);
    await mount.settle();
    expect(sentSince(mount, before)).toEqual({ list_agents: 2 });
    expect(
      mount
        .entities()
        .map((e) => e.id)
        .sort(),
    ).toEqual(ids);
  });

  it("spawns and removes exactly one subtree when <Show> toggles", async () => {
    const [show, setShow] = createSignal(false);
    mount = await mountForTest(() => (
      <entity>
        <entity ui={{ view_id: "always" }} />
        <Show when={show()}>
          <entity ui={{ view_id: "popup" }}>
            <entity ui={{ view_id: "popup-label" }} text={{ string: "hello" }} />
          </entity>
        </Show>
      </entity>
    ));
    let before = snapshot(mount);
    setShow(true);
    await mount.settle();
    expect(sentSince(mount, before)).toEqual({ spawn_entity: 1, list_agents: 1 });
    const popup = mount.find((e) => uiName(e) === "popup")!;
    expect(
      mount
        .tree()!
        .children.find((c) => c.id === popup.id)!
        .children.map((c) => uiName(c)),
    ).toEqual(["popup-label"]);

    before = snapshot(mount);
    setShow(false);
    await mount.settle();
    expect(sentSince(mount, before)).toEqual({ remove_entity: 1, list_agents: 1 });
    expect(mount.entities().map(uiName).filter(Boolean)).toEqual(["always"]);
  });

  it("moves a node between parents with one relationships change, without respawning", async () => {
    const [left, setLeft] = createSignal(true);
    mount = await mountForTest(() => {
      const item = <entity ui={{ view_id: "item" }} />;
      return (
        <entity>
          <entity ui={{ view_id: "L" }}>{left() ? item : null}</entity>
          <entity ui={{ view_id: "R" }}>{left() ? null : item}</entity>
        </entity>
      );
    });
    const item = mount.find((e) => uiName(e) === "item")!;
    const before = snapshot(mount);
    setLeft(false);
    await mount.settle();
    expect(sentSince(mount, before)).toEqual({ change_components: 1, list_agents: 1 });
    const right = mount.find((e) => uiName(e) === "R")!;
    expect(mount.find((e) => uiName(e) === "item")).toMatchObject({
      id: item.id,
      components: { relationships: { parent: right.id } },
    });
  });

  it("spawns a subtree bigger than one message in parts, each part whole, all under the right parents", async () => {
    const [show, setShow] = createSignal(false);
    const rows = Array.from({ length: 6 }, (_, r) => r);
    const cells = Array.from({ length: 10 }, (_, c) => c);
    mount = await mountForTest(
      () => (
        <entity>
          <Show when={show()}>
            <entity ui={{ view_id: "table" }}>
              <For each={rows}>
                {(r) => (
                  <entity ui={{ view_id: `row ${r}` }}>
                    <For each={cells}>
                      {(c) => <entity ui={{ view_id: `cell ${r}.${c}` }} text={{ string: "x".repeat(60) }} />}
                    </For>
                  </entity>
                )}
              </For>
            </entity>
          </Show>
        </entity>
      ),
      { render: { maxSpawnBytes: 2500 } },
    );
    const before = snapshot(mount);
    setShow(true);
    await mount.settle();
    const sent = sentSince(mount, before);
    expect(sent.spawn_entity).toBeGreaterThan(1);
    expect(sent.spawn_entity).toBeLessThanOrEqual(7); // rows never split: the table, then whole rows
    const idOf = (name: string) => mount!.find((e) => uiName(e) === name)!.id;
    for (const r of rows) {
      expect(mount.find((e) => uiName(e) === `row ${r}`)!.components.relationships).toEqual({ parent: idOf("table") });
      for (const c of cells)
        expect(mount.find((e) => uiName(e) === `cell ${r}.${c}`)!.components.relationships).toEqual({
          parent: idOf(`row ${r}`),
        });
    }
  });

  it("paces a burst of spawns to its message budget, losing nothing", async () => {
    const [count, setCount] = createSignal(0);
    mount = await mountForTest(() => (
      <entity>
        <For each={Array.from({ length: count() }, (_, i) => i)}>{(i) => <entity ui={{ view_id: `item ${i}` }} />}</For>
      </entity>
    ));
    // One token a second while the first flush runs: the bucket refills by the time that passes, and a flush slowed
    // by a busy machine must still send exactly the burst. The rest then drains at 100 a second.
    mount.app.sync.budget.burst = 20;
    mount.app.sync.budget.rate = 1;
    const before = snapshot(mount);
    const spawnsBefore = mount.app.sync.counters.spawns;
    setCount(120); // 120 new subtrees directly under the live avatar: 120 spawn_entity messages
    await new Promise<void>((r) => queueMicrotask(r)); // the first flush ran: only the burst went out
    expect(mount.app.sync.counters.spawns - spawnsBefore).toBe(20);
    mount.app.sync.budget.rate = 100;
    await mount.settle();
    expect(sentSince(mount, before).spawn_entity).toBe(120);
    expect(mount.entities().filter((e) => uiName(e)?.startsWith("item "))).toHaveLength(120);
  });

  it("removes everything on dispose", async () => {
    mount = await mountForTest(() => (
      <entity>
        <For each={[1, 2, 3]}>
          {(i) => (
            <entity ui={{ view_id: `n${i}` }}>
              <entity />
            </entity>
          )}
        </For>
      </entity>
    ));
    const ids = mount.entities().map((e) => e.id);
    expect(ids).toHaveLength(7);
    await mount.app.dispose();
    await mount.until(() => ids.every((id) => !mount!.observer.world.entities.has(id)), "all entities removed");
    expect(ids.filter((id) => mount!.place.world.get(id))).toEqual([]);
  });
});

describe("events", () => {
  it("calls onPoke and answers the poke with ok", async () => {
    const [pokes, setPokes] = createSignal(0);
    mount = await mountForTest(() => (
      <entity>
        <entity
          ui={{ view_id: "btn" }}
          text={{ string: `pokes ${pokes()}` }}
          onPoke={(e) => e.pressed && setPokes((n) => n + 1)}
        />
      </entity>
    ));
    const btn = mount.find((e) => uiName(e) === "btn")!;
    expect(await mount.poke(btn.id)).toEqual([
      ["poke", "ok"],
      ["poke", "ok"],
    ]);
    await mount.until(
      () => (mount!.find((e) => e.id === btn.id)!.components.text as { string: string }).string === "pokes 1",
    );
  });

  it("answers failed when the handler throws or refuses, and keeps running", async () => {
    const [n, setN] = createSignal(0);
    mount = await mountForTest(
      () => (
        <entity>
          <entity
            ui={{ view_id: "bad" }}
            onPoke={() => {
              throw new Error("boom");
            }}
          />
          <entity ui={{ view_id: "no" }} onPoke={(e) => e.fail("not now")} />
          <entity
            ui={{ view_id: "good" }}
            text={{ string: String(n()) }}
            onPoke={(e) => e.pressed && setN((x) => x + 1)}
          />
        </entity>
      ),
      { logLevel: "silent" },
    );
    expect((await mount.poke(mount.find((e) => uiName(e) === "bad")!.id))[0]).toEqual(["poke", "failed", "boom"]);
    expect((await mount.poke(mount.find((e) => uiName(e) === "no")!.id))[0]).toEqual(["poke", "failed", "not now"]);
    const good = mount.find((e) => uiName(e) === "good")!;
    expect((await mount.poke(good.id))[0]).toEqual(["poke", "ok"]);
    await mount.until(
      () => (mount!.find((e) => e.id === good.id)!.components.text as { string: string }).string === "1",
    );
  });

  it("answers an async handler that removes its own entity before the entity goes", async () => {
    const [open, setOpen] = createSignal(true);
    mount = await mountForTest(() => (
      <entity>
        <Show when={open()}>
          <entity
            ui={{ view_id: "close-me" }}
            onPoke={async () => {
              setOpen(false);
              await new Promise((r) => setTimeout(r, 50));
            }}
          />
        </Show>
      </entity>
    ));
    const id = mount.find((e) => uiName(e) === "close-me")!.id;
    expect(await mount.observer.request(mount.observer.avatarId, id, ["poke", true], { timeout: 5000 })).toEqual([
      "poke",
      "ok",
    ]);
    await mount.until(() => !mount!.observer.world.entities.has(id), "entity removed after the answer");
  });

  it("delivers events to the avatar itself, and bubbles pokes to the nearest handler", async () => {
    const seen: string[] = [];
    mount = await mountForTest(() => (
      <entity
        onPoke={(e) => {
          if (e.pressed) seen.push(`root:${e.receiverId === e.currentTarget.id}`);
        }}
      >
        <entity ui={{ view_id: "leaf" }} />
      </entity>
    ));
    await mount.poke(mount.app.avatarId);
    expect(await mount.poke(mount.find((e) => uiName(e) === "leaf")!.id)).toEqual([
      ["poke", "ok"],
      ["poke", "ok"],
    ]);
    expect(seen).toEqual(["root:true", "root:false"]);
  });

  it("answers the quit request and disposes the app", async () => {
    mount = await mountForTest(() => (
      <entity>
        <entity ui={{ view_id: "c" }} />
      </entity>
    ));
    const ids = mount.entities().map((e) => e.id);
    expect(await mount.observer.request(mount.observer.avatarId, mount.app.avatarId, ["quit"])).toEqual(["quit", "ok"]);
    await mount.until(() => ids.every((id) => !mount!.observer.world.entities.has(id)), "app gone");
  });
});

describe("keyed adoption", () => {
  it("turns a swap of two entities with the same key into one change_components, keeping the entity", async () => {
    const [red, setRed] = createSignal(true);
    mount = await mountForTest(() => (
      <entity>
        {red() ? (
          <entity key="panel" ui={{ view_id: "panel" }} material={{ color: [1, 0, 0, 1] }}>
            <entity key="title" text={{ string: "red" }} />
            <entity key="only-red" text={{ string: "extra" }} />
          </entity>
        ) : (
          <entity
            key="panel"
            ui={{ view_id: "panel" }}
            material={{ color: [0, 0, 1, 1] }}
            geometry={{ type: "asset", name: "x" }}
          >
            <entity key="title" text={{ string: "blue" }} />
            <entity key="only-blue" text={{ string: "new" }} />
          </entity>
        )}
      </entity>
    ));
    const panel = mount.find((e) => uiName(e) === "panel")!;
    const title = mount.find((e) => (e.components.text as { string?: string } | undefined)?.string === "red")!;
    const before = snapshot(mount);
    setRed(false);
    await mount.settle();
    // panel and title change in place; the red-only child goes, the blue-only child comes.
    expect(sentSince(mount, before)).toEqual({
      change_components: 2,
      remove_entity: 1,
      spawn_entity: 1,
      list_agents: 1,
    });
    const after = mount.find((e) => uiName(e) === "panel")!;
    expect(after.id).toBe(panel.id);
    expect(after.components).toMatchObject({
      material: { color: [0, 0, 1, 1] },
      geometry: { type: "asset", name: "x" },
    });
    expect(mount.find((e) => e.id === title.id)!.components.text).toEqual({ string: "blue" });
    const texts = mount
      .entities()
      .map((e) => (e.components.text as { string?: string } | undefined)?.string)
      .filter(Boolean)
      .sort();
    expect(texts).toEqual(["blue", "new"]);
  });

  it("removes a keyed entity that has no successor", async () => {
    const [show, setShow] = createSignal(true);
    mount = await mountForTest(() => (
      <entity>
        <Show when={show()}>
          <entity key="k" ui={{ view_id: "k" }} />
        </Show>
      </entity>
    ));
    const before = snapshot(mount);
    setShow(false);
    await mount.settle();
    expect(sentSince(mount, before)).toEqual({ remove_entity: 1, list_agents: 1 });
    expect(mount.find((e) => uiName(e) === "k")).toBeUndefined();
  });
});

describe("the avatar", () => {
  it("stays when the app swaps its root entity: the new root takes it over", async () => {
    const [first, setFirst] = createSignal(true);
    mount = await mountForTest(() => (
      <Show when={first()} fallback={<entity ui={{ view_id: "B" }} />}>
        <entity ui={{ view_id: "A" }}>
          <entity ui={{ view_id: "A child" }} />
        </entity>
      </Show>
    ));
    const avatar = mount.app.avatarId;
    expect(uiName(mount.observer.world.entities.get(avatar))).toBe("A");
    setFirst(false);
    await mount.settle();
    await mount.until(() => uiName(mount!.observer.world.entities.get(avatar)) === "B", "B is the avatar");
    expect(mount.entities().map(uiName)).toEqual(["B"]);
  });
});

describe("refs and Dynamic", () => {
  it("gives a ref the node before it exists; ready resolves with its id; set() changes components imperatively", async () => {
    let node!: EntityNode;
    let idAtRef: string | null = "unset";
    mount = await mountForTest(() => (
      <entity>
        <entity
          ui={{ view_id: "r" }}
          ref={(n) => {
            node = n;
            idAtRef = n.id;
          }}
        />
      </entity>
    ));
    expect(idAtRef).toBeNull();
    const id = await node.ready;
    expect(id).toBe(mount.find((e) => uiName(e) === "r")!.id);
    const before = snapshot(mount);
    node.set({ cursor: { name: "brush" }, text: { string: "imperative" } });
    await mount.settle();
    expect(sentSince(mount, before)).toEqual({ change_components: 1, list_agents: 1 });
    expect(mount.find((e) => e.id === id)!.components).toMatchObject({
      cursor: { name: "brush" },
      text: { string: "imperative" },
    });
  });

  it("Dynamic switches between components", async () => {
    const A = () => <entity ui={{ view_id: "A" }} />;
    const B = () => <entity ui={{ view_id: "B" }} />;
    const [which, setWhich] = createSignal<typeof A>(A);
    mount = await mountForTest(() => (
      <entity>
        <Dynamic component={which()} />
      </entity>
    ));
    expect(mount.entities().map(uiName).filter(Boolean)).toEqual(["A"]);
    setWhich(() => B);
    await mount.settle();
    expect(mount.entities().map(uiName).filter(Boolean)).toEqual(["B"]);
  });
});
