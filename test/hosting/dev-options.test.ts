// `allo dev` against a place given by URL, and with an entry that does not exist.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Place } from "@allo/place";
import { startTestPlace } from "@allo/place/testing";
import { fixtures, poll } from "./helpers.ts";

const allo = join(import.meta.dirname, "..", "..", "packages", "cli", "bin", "allo.mjs");
let place: Place | undefined;
afterEach(async () => {
  await place?.close();
  place = undefined;
});

function startDev(args: string[], cwd: string) {
  const child = spawn(process.execPath, [allo, "dev", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const result = { child, output: "" };
  child.stdout.on("data", (d: Buffer) => (result.output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (result.output += d.toString()));
  return result;
}

describe("allo dev options", () => {
  it("--place runs the app in an existing place instead of starting one", async () => {
    place = await startTestPlace();
    const dev = startDev(["src/app.tsx", "--place", place.url], join(fixtures, "greeter"));
    try {
      await poll(
        () => [...place!.agents.values()].some((a) => a.identity?.display_name === "Greeter"),
        `the app to join; allo dev printed:\n${dev.output}`,
        30_000,
      );
      expect(dev.output).toContain(`place  ${place.url}\n`);
      expect(dev.output).not.toContain("embedded");
    } finally {
      dev.child.kill("SIGTERM");
      expect(await new Promise((r) => dev.child.once("exit", r))).toBe(0);
    }
    await poll(() => place!.agents.size === 0, "the app to leave");
  });

  it("says what to do when the entry does not exist", async () => {
    const dev = startDev(["src/nope.tsx"], fixtures);
    expect(await new Promise((r) => dev.child.once("exit", r))).toBe(1);
    expect(dev.output).toMatch(
      /allo dev: src\/nope\.tsx does not exist here; run allo dev in your app's folder, or pass its entry/,
    );
  });
});
