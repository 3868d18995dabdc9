// `allo serve` as a user runs it: a real gateway process serving two app folders; a place launches one of them.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Place } from "@allo/place";
import { childPids } from "../../packages/gateway/test/helpers.ts";
import { fixtures, isAlive, placeForLaunches, poll, visitor } from "./helpers.ts";

const allo = join(import.meta.dirname, "..", "..", "packages", "cli", "bin", "allo.mjs");
let serve: ChildProcess | undefined;
let place: Place | undefined;
let output = "";

afterEach(async () => {
  if (serve && serve.exitCode === null && serve.signalCode === null) {
    serve.kill("SIGKILL");
    await new Promise((r) => serve!.once("exit", r));
  }
  await place?.close();
  serve = place = undefined;
});

async function startServe(args: string[]): Promise<string> {
  output = "";
  serve = spawn(process.execPath, [allo, "serve", ...args, "--port", "0", "--host", "127.0.0.1"], {
    cwd: fixtures,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ALLO_LOG_LEVEL: "warn" },
  });
  serve.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  serve.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  await poll(
    () => /Allo app gateway on (http:\/\/\S+)/.test(output),
    `allo serve to start; it printed:\n${output}`,
    20_000,
  );
  return /Allo app gateway on (http:\/\/\S+)/.exec(output)![1];
}

describe("allo serve", () => {
  it("serves each folder at its own path, lists them, and launches one into a place", async () => {
    const url = await startServe(["greeter", "crash-on-start"]);
    expect(output).toContain(`alloapp:${url}/greeter  Greeter (greeter)`);
    const listing = await (await fetch(`${url}/`)).json();
    expect(
      listing.apps.map((a: { path: string; display_name: string; description: string }) => [
        a.path,
        a.display_name,
        a.description,
      ]),
    ).toEqual([
      ["/greeter", "Greeter", "Shows who launched it and with which args."],
      ["/crash-on-start", "crash-on-start", ""],
    ]);
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: "ok", apps: 2, instances: 0 });

    place = await placeForLaunches();
    const agent = await visitor(place, "Grace");
    const response = await agent.request(["launch_app", `alloapp:${url}/greeter`, { color: "amber" }], {
      timeoutMs: 40_000,
    });
    expect(response).toEqual(["launch_app", "ok", expect.any(String)]);
    expect(place.world.get(response[2])?.components.launch_info).toEqual({
      args: { color: "amber" },
      launched_by: { display_name: "Grace", verified: false },
    });
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ instances: 1 });

    // Stopping the gateway stops the app it started: the app's agent leaves the place.
    serve!.kill("SIGTERM");
    const code = await new Promise((r) => serve!.once("exit", r));
    expect(code).toBe(0);
    await poll(() => place!.agents.size === 1, "the app to leave the place");
    await agent.close();
  });

  it("serves the app in the current folder at / when given no folder", async () => {
    output = "";
    serve = spawn(process.execPath, [allo, "serve", "--port", "0", "--host", "127.0.0.1"], {
      cwd: join(fixtures, "greeter"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    serve.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    await poll(() => output.includes("Greeter (greeter)"), "allo serve to start", 20_000);
    expect(output).toMatch(/alloapp:http:\/\/127\.0\.0\.1:\d+\/ {2}Greeter \(greeter\)/);
  });

  it("keeps a warm standby (--standby), which leaves by itself when the gateway is killed", async () => {
    await startServe(["greeter", "--standby", "1"]);
    await poll(() => childPids(serve!.pid).length === 1, "the standby to start", 20_000);
    const [standby] = childPids(serve!.pid);
    // kill -9: the gateway cannot stop it; the standby sees its IPC channel close and exits (no orphan left running).
    const killed = new Promise((r) => serve!.once("exit", r));
    serve!.kill("SIGKILL");
    await killed;
    await poll(() => !isAlive(standby), "the orphaned standby to exit", 30_000);
  });

  it("says what is wrong with a folder that is not an app", async () => {
    const child = spawn(process.execPath, [allo, "serve", "no-such-folder"], {
      cwd: fixtures,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(1);
    expect(err).toMatch(/allo serve: .*no-such-folder is not a folder/);
  });
});
