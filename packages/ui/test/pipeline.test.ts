// The compile-and-run pipeline outside vitest: a real Node process compiles the .tsx app with the register hook,
// gets Solid's reactive build (one instance), connects to a real place, and reacts to a poke from another agent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { connect, type AlloClient } from "@allo/client";
import { startTestPlace, type Place } from "@allo/testing";
import { issueToken } from "@allo/place";
import type { Entity } from "@allo/protocol";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const hello = join(repo, "examples", "hello", "src", "app.tsx");
const start = join(repo, "packages", "ui", "src", "start.ts");

let place: Place;
let observer: AlloClient;
beforeAll(async () => {
  place = await startTestPlace();
  observer = await connect(place.url, { identity: { display_name: "observer" } });
});
afterAll(async () => {
  await observer?.close();
  await place?.close();
});

const textOf = (e: Entity) => (e.components.text as { string?: string } | undefined)?.string;
const parentOf = (e: Entity) => (e.components.relationships as { parent?: string } | undefined)?.parent;

function run(
  args: string[],
  env: Record<string, string> = {},
  command = [process.execPath, "--import", "tsx", "--import", "@allo/ui/register"],
  cwd = repo,
) {
  let output = "";
  const child = spawn(command[0], [...command.slice(1), ...args], {
    cwd,
    env: { ...process.env, ALLO_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child: child as ChildProcess, exited, output: () => output };
}

// Poked as soon as the label shows: what reaches the app before it listens is held for it (@allo/client).
async function pokeUntilCounted(label: string): Promise<void> {
  const find = (s: string) => [...observer.world.entities.values()].find((e) => textOf(e) === s);
  const before = find(label)!;
  const button = observer.world.entities.get(parentOf(before)!)!;
  expect(await observer.request(observer.avatarId, button.id, ["poke", true])).toEqual(["poke", "ok"]);
  expect(await observer.request(observer.avatarId, button.id, ["poke", false])).toEqual(["poke", "ok"]);
  await observer.waitForWorld(
    () =>
      observer.world.entities.get(before.id) !== undefined &&
      textOf(observer.world.entities.get(before.id)!) === "Poked 1 time",
    { timeout: 10_000 },
  );
}

async function quit(label: string, exited: Promise<number | null>): Promise<void> {
  const labelEntity = [...observer.world.entities.values()].find((e) => textOf(e) === label)!;
  const avatarId = parentOf(observer.world.entities.get(parentOf(labelEntity)!)!)!;
  expect(await observer.request(observer.avatarId, avatarId, ["quit"])).toEqual(["quit", "ok"]);
  expect(await exited).toBe(0);
  await observer.waitForWorld(
    () => !observer.world.entities.has(avatarId) && !observer.world.entities.has(labelEntity.id),
    { timeout: 10_000 },
  );
}

describe("node --import tsx --import @allo/ui/register app.tsx <place-url>", () => {
  it("runs the app: a poke from another agent re-runs an effect and changes a real entity; quit exits 0", async () => {
    const app = run([hello, place.url]);
    try {
      await observer.waitForWorld((w) => [...w.entities.values()].some((e) => textOf(e) === "Poke me!"), {
        timeout: 15_000,
      });
      await pokeUntilCounted("Poke me!");
      await quit("Poked 1 time", app.exited);
    } finally {
      app.child.kill();
    }
  }, 30_000);

  it("starts an entry that does not start itself through start.ts, with the URL from ALLO_PLACE_URL", async () => {
    const app = run([start, hello], { ALLO_PLACE_URL: place.url });
    try {
      await observer.waitForWorld((w) => [...w.entities.values()].some((e) => textOf(e) === "Poke me!"), {
        timeout: 15_000,
      });
      await pokeUntilCounted("Poke me!");
      await quit("Poked 1 time", app.exited);
    } finally {
      app.child.kill();
    }
  }, 30_000);

  it("exits with a readable message when no place URL is given", async () => {
    const app = run([hello], { ALLO_PLACE_URL: "" });
    expect(await app.exited).toBe(2);
    expect(app.output()).toContain("No place URL");
  }, 30_000);
});

describe("allo run <app.tsx> <place-url>", () => {
  const allo = [process.execPath, join(repo, "packages", "cli", "bin", "allo.mjs")];

  it("runs an example through the CLI; it answers pokes and quits with exit code 0", async () => {
    const app = run(["run", hello, place.url], {}, allo);
    try {
      await observer.waitForWorld((w) => [...w.entities.values()].some((e) => textOf(e) === "Poke me!"), {
        timeout: 15_000,
      });
      await pokeUntilCounted("Poke me!");
      const agents = (await observer.request(observer.avatarId, "place", ["list_agents"]))[2] as Array<{
        display_name: string;
      }>;
      expect(agents.map((a) => a.display_name)).toContain("Hello"); // named after its package.json (allo.displayName)
      await quit("Poked 1 time", app.exited);
    } finally {
      app.child.kill();
    }
  }, 30_000);

  it("is each example's `npm start`", async () => {
    const app = run(["start", "--", place.url], {}, ["npm"], join(repo, "examples", "hello"));
    try {
      await observer.waitForWorld((w) => [...w.entities.values()].some((e) => textOf(e) === "Poke me!"), {
        timeout: 20_000,
      });
      await pokeUntilCounted("Poke me!");
      await quit("Poked 1 time", app.exited);
    } finally {
      app.child.kill();
    }
  }, 40_000);

  it.each([
    ["clock", /^\d\d:\d\d:\d\d$/],
    ["plot3d", /^Jan$/],
  ])(
    "starts the %s example the same way, and quits it",
    async (name, label) => {
      const app = run(["run", join(repo, "examples", name, "src", "app.tsx"), place.url], {}, allo);
      try {
        const find = () => [...observer.world.entities.values()].find((e) => label.test(textOf(e) ?? ""));
        await observer.waitForWorld(() => !!find(), { timeout: 20_000 });
        let root = find()!;
        while (parentOf(root)) root = observer.world.entities.get(parentOf(root)!)!;
        expect(await observer.request(observer.avatarId, root.id, ["quit"])).toEqual(["quit", "ok"]);
        expect(await app.exited).toBe(0);
      } finally {
        app.child.kill();
      }
    },
    40_000,
  );

  it("--token joins a place that requires one, with the token's verified identity", async () => {
    const secret = "a secret of thirty-two bytes or more, for this test";
    const guarded = await startTestPlace({ auth: { mode: "token", secret } });
    const token = await issueToken(secret, { sub: "hello-app", roles: ["app"] });
    const app = run(["run", hello, guarded.url, "--token", token], {}, allo);
    try {
      const verified = () => [...guarded.agents.values()].find((a) => a.announced)?.verified;
      for (let i = 0; !verified(); i++) {
        if (app.child.exitCode !== null || i > 1500) throw new Error(`the app never joined: ${app.output()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(verified()).toEqual({ sub: "hello-app", name: null, roles: ["app"] });
    } finally {
      app.child.kill();
      await guarded.close();
    }
  }, 30_000);

  it("says what is missing", async () => {
    const noUrl = run(["run", hello], { ALLO_PLACE_URL: "" }, allo);
    expect(await noUrl.exited).toBe(2);
    expect(noUrl.output()).toContain("no place URL");
    const noFile = run(["run", "nope.tsx", place.url], {}, allo);
    expect(await noFile.exited).toBe(2);
    expect(noFile.output()).toContain("nope.tsx does not exist");
  }, 30_000);
});
