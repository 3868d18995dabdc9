// createStoredSignal across processes: the app killed (SIGKILL) and launched again shows the count it had, and the
// same app in two places keeps one count per place. Real processes, a real SQLite file.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AlloClient } from "@allo/client";
import {
  killAll,
  observer,
  outputs,
  pokeButton,
  runApp,
  startPlaceProcess,
  tempDir,
  waitForText,
  type PlaceProc,
} from "./helpers.ts";

// Real processes start here (Node, tsx, the Solid compile): on a loaded machine that alone can take seconds.
vi.setConfig({ testTimeout: 90_000 });

const observers: AlloClient[] = [];
afterEach(async (context) => {
  if (context.task.result?.state === "fail") process.stdout.write(`the processes printed:\n${outputs()}\n`);
  await Promise.all(observers.splice(0).map((o) => o.close()));
  await killAll();
});

async function watch(place: PlaceProc): Promise<AlloClient> {
  const client = await observer(place.url);
  observers.push(client);
  return client;
}

const shows = (eye: AlloClient, pattern: RegExp) =>
  [...eye.world.entities.values()].some((e) => pattern.test(JSON.stringify(e.components.text ?? "")));

describe("createStoredSignal", () => {
  it("keeps its value when the app's process is killed and launched again", async () => {
    const place = await startPlaceProcess();
    const dataDir = tempDir("stored-");
    const first = runApp("stored-counter", place.url, { ALLO_DATA_DIR: dataDir });
    const eye = await watch(place);
    for (let n = 0; n < 3; n++) await pokeButton(eye, new RegExp(`Stored ${n} pokes`));
    await waitForText(eye, /Stored 3 pokes/);
    expect(existsSync(join(dataDir, "stored-signals.sqlite"))).toBe(true);
    expect(existsSync(join(dataDir, "stored-signals.sqlite-wal"))).toBe(true); // WAL mode
    await first.kill("SIGKILL");
    await eye.waitForWorld(() => !shows(eye, /Stored/)); // the killed app's entities are gone
    runApp("stored-counter", place.url, { ALLO_DATA_DIR: dataDir });
    await waitForText(eye, /Stored 3 pokes/);
    await pokeButton(eye, /Stored 3 pokes/);
    await waitForText(eye, /Stored 4 pokes/);
  });

  it("keeps one value per place: the same app in two places counts separately", async () => {
    const [a, b] = await Promise.all([startPlaceProcess(0, "Place A"), startPlaceProcess(0, "Place B")]);
    const dataDir = tempDir("stored-");
    const inA = runApp("stored-counter", a.url, { ALLO_DATA_DIR: dataDir });
    const eyeA = await watch(a);
    await pokeButton(eyeA, /Stored 0 pokes/);
    await pokeButton(eyeA, /Stored 1 pokes/);
    await waitForText(eyeA, /Stored 2 pokes/);
    // The same app, the same data directory, another place: its own count, from the initial value.
    runApp("stored-counter", b.url, { ALLO_DATA_DIR: dataDir });
    const eyeB = await watch(b);
    await pokeButton(eyeB, /Stored 0 pokes/);
    await waitForText(eyeB, /Stored 1 pokes/);
    // Launched again in A, it has A's count, not B's.
    await inA.kill("SIGKILL");
    await eyeA.waitForWorld(() => !shows(eyeA, /Stored/));
    runApp("stored-counter", a.url, { ALLO_DATA_DIR: dataDir });
    await waitForText(eyeA, /Stored 2 pokes/);
  });
});
