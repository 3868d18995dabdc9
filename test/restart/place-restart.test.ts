// A place restarts under an app run with `allo run`: real processes, the place killed (SIGKILL) or stopped (SIGTERM)
// and started again on the same port. The app must be back within 5 s of the place, showing the count it had.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AlloClient } from "@allo/client";
import {
  findText,
  killAll,
  observer,
  pokeButton,
  reconnectAttempts,
  runApp,
  startPlaceProcess,
  tempDir,
  waitForText,
  type PlaceProc,
  type Proc,
} from "./helpers.ts";

// Real processes start here (Node, tsx, the Solid compile): on a loaded machine that alone can take seconds.
vi.setConfig({ testTimeout: 90_000 });

const observers: AlloClient[] = [];
afterEach(async () => {
  await Promise.all(observers.splice(0).map((o) => o.close()));
  await killAll();
});

async function watch(place: PlaceProc): Promise<AlloClient> {
  const client = await observer(place.url);
  observers.push(client);
  return client;
}

/** A place, the counter app in it, poked twice. */
async function counterPokedTwice(): Promise<{ place: PlaceProc; app: Proc }> {
  const place = await startPlaceProcess();
  const app = runApp("counter", place.url, { ALLO_DATA_DIR: tempDir("counter-") });
  const eye = await watch(place);
  await pokeButton(eye, /Poked 0 times/);
  await pokeButton(eye, /Poked 1 times/);
  await waitForText(eye, /Poked 2 times/);
  return { place, app };
}

/** Starts the place again on its port; resolves with how long the app took to be back, as an agent sees it. */
async function restartAndTimeComeback(
  place: PlaceProc,
): Promise<{ again: PlaceProc; eye: AlloClient; backAfterMs: number }> {
  const again = await startPlaceProcess(place.port);
  const eye = await watch(again);
  await waitForText(eye, /Poked 2 times/, 10_000);
  return { again, eye, backAfterMs: Date.now() - again.readyAt };
}

describe("a place restart under an `allo run` app", () => {
  it("SIGKILL: the app is back within 5 s showing the same count, and a poke works", async () => {
    const { place, app } = await counterPokedTwice();
    expect(await place.kill("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    await app.waitFor(/connection to the place lost; reconnecting \{"code":1006/);
    const { eye, backAfterMs } = await restartAndTimeComeback(place);
    expect(backAfterMs).toBeLessThan(5_000);
    expect(app.running).toBe(true);
    await pokeButton(eye, /Poked 2 times/);
    await waitForText(eye, /Poked 3 times/);
    // Only one copy of the app: the old entities went with the old place.
    expect(
      [...eye.world.entities.values()].filter((e) =>
        /Poked/.test(String((e.components.text as { string?: string })?.string)),
      ).length,
    ).toBe(1);
  });

  it("SIGTERM: the place closes the app with 1012, and the app is back within 5 s", async () => {
    const { place, app } = await counterPokedTwice();
    const stopped = await place.kill("SIGTERM");
    expect(stopped.code).toBe(0);
    expect(place.output).toMatch(
      /closing agent \{"agent":"[^"]+","code":1012,"reason":"place restarting \(SIGTERM\)"\}/,
    );
    await app.waitFor(
      /connection to the place lost; reconnecting \{"code":1012,"reason":"place restarting \(SIGTERM\)"\}/,
    );
    const { eye, backAfterMs } = await restartAndTimeComeback(place);
    expect(backAfterMs).toBeLessThan(5_000);
    await pokeButton(eye, /Poked 2 times/);
    await waitForText(eye, /Poked 3 times/);
  });

  it("a place away for 30 s: the app retries with a growing, capped delay and comes back", async () => {
    const { place, app } = await counterPokedTwice();
    await place.kill("SIGKILL");
    // The app's own log says how long the place has been away at each attempt.
    const deadline = Date.now() + 60_000;
    while (!reconnectAttempts(app.output).some((a) => a.awayMs >= 30_000)) {
      if (Date.now() > deadline) throw new Error(`no attempt 30 s after the place went away:\n${app.output}`);
      await app.waitFor(/reconnect attempt/, 60_000, app.output.length);
    }
    const attempts = reconnectAttempts(app.output);
    // Defaults (client reconnect.ts): 250 ms doubling up to 2.5 s, each shortened by up to half at random.
    attempts.forEach(({ attempt, delayMs }) => {
      const nominal = Math.min(2_500, 250 * 2 ** (attempt - 1));
      expect(delayMs).toBeLessThanOrEqual(nominal);
      expect(delayMs).toBeGreaterThanOrEqual(nominal / 2 - 1);
    });
    // 30 s at one attempt every 1.25–2.5 s once capped: 16 to 28 attempts (less when attempts are slow to fail).
    expect(attempts.length).toBeGreaterThanOrEqual(12);
    expect(attempts.length).toBeLessThanOrEqual(29);
    expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_, i) => i + 1));
    const { eye, backAfterMs } = await restartAndTimeComeback(place);
    expect(backAfterMs).toBeLessThan(5_000);
    await pokeButton(eye, /Poked 2 times/);
    await waitForText(eye, /Poked 3 times/);
    expect(app.output).toMatch(/client: reconnected \{"attempt":\d+/);
  }, 90_000);
});

describe("an app that is sent away", () => {
  it("does not come back after a kick: it exits instead of reconnecting", async () => {
    // The default ACL lets no agent kick; this place's operator allows it (allo place --acl).
    const acl = join(tempDir("acl-"), "acl.json");
    writeFileSync(
      acl,
      JSON.stringify({
        rules: [{ effect: "allow", pattern: '["interaction", _, _, "place", _, ["kick_agent", ...]]' }],
      }),
    );
    const place = await startPlaceProcess(0, "Kicking place", ["--acl", acl]);
    const app = runApp("counter", place.url, { ALLO_DATA_DIR: tempDir("counter-") });
    const eye = await watch(place);
    const label = await waitForText(eye, /Poked 0 times/);
    // The app's agent, by its avatar (the button's parent), from the place's own list.
    const button = eye.world.get((label.components.relationships as { parent: string }).parent)!;
    const avatar = (button.components.relationships as { parent: string }).parent;
    const [, , agents] = await eye.request(eye.avatarId, "place", ["list_agents"]);
    const agent = (agents as Array<{ agent_id: string; avatar_id: string }>).find((a) => a.avatar_id === avatar)!;
    expect(await eye.request(eye.avatarId, "place", ["kick_agent", agent.agent_id])).toEqual(["kick_agent", "ok"]);
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(app.output).toMatch(/connection to the place lost \{"code":4403,"reason":"kicked"\}/);
    expect(reconnectAttempts(app.output)).toEqual([]);
    await eye.waitForWorld(() => findText(eye, /Poked/) === undefined);
  });
});
