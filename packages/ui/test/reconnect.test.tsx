// The renderer across a place restart: a real place closed with 1012 and started again on the same port; an
// independent observer sees the app's tree come back with its live values, and a poke reaches the new entities.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSignal, For } from "solid-js";
import { connect, type AlloClient, type ConnectionState } from "@allo/client";
import { startPlace, type Place } from "@allo/place";
import type { Entity } from "@allo/protocol";
import { Animation, Button, render, type AppHandle } from "../src/index.ts";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function place(port = 0): Promise<Place> {
  const started = await startPlace({ port, logLevel: "silent", name: "restarting place" });
  cleanups.push(() => started.close());
  return started;
}

async function observe(at: Place): Promise<AlloClient> {
  const observer = await connect(at.url, { identity: { display_name: "observer" } });
  cleanups.push(() => observer.close());
  return observer;
}

const textOf = (e: Entity) => (e.components.text as { string?: string } | undefined)?.string ?? "";
const findText = (observer: AlloClient, pattern: RegExp) =>
  [...observer.world.entities.values()].find((e) => pattern.test(textOf(e)));

async function pokeText(observer: AlloClient, pattern: RegExp): Promise<void> {
  // The label's parent is the button's pokeable box.
  const label = findText(observer, pattern)!;
  const target = (label.components.relationships as { parent: string }).parent;
  await observer.request(observer.avatarId, target, ["poke", true]);
  await observer.request(observer.avatarId, target, ["poke", false]);
}

function Counter(props: { items: number }) {
  const [count, setCount] = createSignal(0);
  return (
    <entity transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1] }}>
      <Button label={`Poked ${count()} times`} onActivated={() => setCount(count() + 1)} />
      <For each={Array.from({ length: props.items }, (_, i) => i)}>
        {(i) => <entity text={{ string: `item ${i}` }} />}
      </For>
    </entity>
  );
}

describe("render() with reconnect", () => {
  it("re-spawns the tree with its live values after the place restarts, and a poke reaches the new entities", async () => {
    const first = await place();
    const port = first.port;
    const app: AppHandle = await render(() => <Counter items={20} />, {
      url: first.url,
      exitOnQuit: false,
      logLevel: "silent",
      reconnect: { initialDelay: 50, maxDelay: 200 },
    });
    cleanups.push(() => app.dispose());
    const client = app.client as unknown as AlloClient;
    const states: ConnectionState["status"][] = [];
    client.connectionState$.subscribe((s) => states.push(s.status));
    let observer = await observe(first);
    await observer.waitForWorld(() => findText(observer, /Poked 0 times/) !== undefined);
    await pokeText(observer, /Poked 0 times/);
    await pokeText(observer, /Poked 1 times/);
    await observer.waitForWorld(() => findText(observer, /Poked 2 times/) !== undefined);
    const oldAvatar = app.avatarId;

    await first.close({ code: 1012, reason: "restart" });
    await vi.waitFor(() => expect(client.connectionState.status).toBe("reconnecting"));
    const second = await place(port);
    await vi.waitFor(() => expect(client.connectionState.status).toBe("connected"), { timeout: 10_000 });
    observer = await observe(second);
    await observer.waitForWorld(
      () => findText(observer, /Poked 2 times/) !== undefined && findText(observer, /item 19/) !== undefined,
    );
    expect(app.avatarId).not.toBe(oldAvatar);
    expect(second.world.get(app.avatarId)).toBeDefined();
    // One announce carried the whole tree: nothing else was spawned on the new connection.
    expect(client.stats.sentByName.announce).toBe(1);
    expect(client.stats.sentByName.spawn_entity ?? 0).toBeLessThanOrEqual(1);
    // Exactly the app's entities: no duplicates of the old tree.
    expect([...observer.world.entities.values()].filter((e) => /^item /.test(textOf(e))).length).toBe(20);

    await pokeText(observer, /Poked 2 times/);
    await observer.waitForWorld(() => findText(observer, /Poked 3 times/) !== undefined);
    expect(states).toEqual(["connected", "reconnecting", "connected"]);
  });

  it("starts its repeating animations again on the new place", async () => {
    const first = await place();
    const app = await render(
      () => (
        <entity transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1] }}>
          <entity text={{ string: "spinner" }} transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }}>
            <Animation path="transform.matrix.rotation.y" from={0} to={6.28} duration={2} repeats />
          </entity>
        </entity>
      ),
      { url: first.url, exitOnQuit: false, logLevel: "silent", reconnect: { initialDelay: 50, maxDelay: 200 } },
    );
    cleanups.push(() => app.dispose());
    const animationsOn = (at: Place) => {
      const spinner = Object.values(at.world.toDocument().entities).find((e) => textOf(e) === "spinner");
      return Object.values(
        (spinner?.components.property_animations as { animations?: Record<string, { path: string }> } | undefined)
          ?.animations ?? {},
      );
    };
    await vi.waitFor(() => expect(animationsOn(first)).toHaveLength(1));
    await first.close({ code: 1012, reason: "restart" });
    const second = await place(first.port);
    await vi.waitFor(() => expect(animationsOn(second).map((a) => a.path)).toEqual(["transform.matrix.rotation.y"]), {
      timeout: 10_000,
    });
  });

  it("does not come back when the place kicks it", async () => {
    const at = await place();
    const app = await render(() => <Counter items={1} />, {
      url: at.url,
      exitOnQuit: false,
      logLevel: "silent",
      reconnect: { initialDelay: 50 },
      onDisconnect: () => {},
    });
    cleanups.push(() => app.dispose());
    const client = app.client as unknown as AlloClient;
    const agent = [...at.agents.values()].find((a) => a.avatarId === app.avatarId)!;
    at.ctx.disconnect(agent, 4403, "kicked");
    const closed = await client.closed;
    expect(closed).toMatchObject({ code: 4403, why: "closed by place" });
    expect(client.connectionState).toMatchObject({ status: "closed", why: "closed by place" });
    expect(at.agents.size).toBe(0);
  });
});
