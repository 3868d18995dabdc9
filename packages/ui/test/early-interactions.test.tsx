// Interactions that reach an app before it listens (during its connect, or before render() subscribes) are answered,
// not lost: @allo/client holds them for the first interactions$ subscriber, which render() is.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSignal } from "solid-js";
import { filter } from "rxjs";
import { connect, type AlloClient } from "@allo/client";
import { startTestPlace, type Place } from "@allo/testing";
import type { InteractionBody } from "@allo/protocol";
import { render, type AppHandle } from "../src/index.ts";

let place: Place;
let observer: AlloClient;
const apps: AppHandle[] = [];
const clients: AlloClient[] = [];
beforeEach(async () => {
  place = await startTestPlace();
  observer = await connect(place.url, { identity: { display_name: "observer" } });
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.dispose();
  for (const client of clients.splice(0)) await client.close();
  await observer.close();
  await place.close();
});

const textOf = (e: { components: Record<string, unknown> }) =>
  (e.components.text as { string?: string } | undefined)?.string;

describe("interactions that reach the app before it listens", () => {
  it("answers a poke that arrived before render() subscribed, and runs its handler", async () => {
    const client = await connect(place.url, { identity: { display_name: "app" } });
    clients.push(client);
    const answer = observer.request(observer.avatarId, client.avatarId, ["poke", true], { timeout: 10_000 });
    await vi.waitFor(() => expect(client.stats.receivedByName.poke).toBe(1)); // in the client, nobody subscribed yet
    const [pokes, setPokes] = createSignal(0);
    const app = await render(
      () => <entity text={{ string: `pokes ${pokes()}` }} onPoke={(e) => e.pressed && setPokes((n) => n + 1)} />,
      {
        client,
        exitOnQuit: false,
        logLevel: "warn",
      },
    );
    apps.push(app);
    expect(await answer).toEqual(["poke", "ok"]);
    await observer.waitForWorld((w) => textOf(w.get(client.avatarId)!) === "pokes 1");
  });

  it("answers a quit sent the moment the app's avatar appears, and disposes the app", async () => {
    // The observer asks the app to quit as soon as it sees it: that can reach the app inside its connect().
    const answered = new Promise<InteractionBody>((resolve, reject) => {
      observer.entityAdded$.pipe(filter((e) => textOf(e) === "quit me")).subscribe((e) => {
        observer.request(observer.avatarId, e.id, ["quit"], { timeout: 10_000 }).then(resolve, reject);
      });
    });
    const app = await render(
      () => (
        <entity text={{ string: "quit me" }}>
          <entity text={{ string: "child" }} />
        </entity>
      ),
      {
        url: place.url,
        exitOnQuit: false,
        logLevel: "warn",
        onDisconnect: () => {},
      },
    );
    expect(await answered).toEqual(["quit", "ok"]);
    await observer.waitForWorld(
      (w) => !w.get(app.avatarId) && ![...w.entities.values()].some((e) => textOf(e) === "child"),
    );
  });
});
