// `allo dev` as a user runs it: a real process with its embedded place; the test edits the app's source and watches
// the place through another agent (a visor stand-in).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectRawAgent, type RawAgent } from "@allo/place/testing";

const repo = join(import.meta.dirname, "..", "..");
const allo = join(repo, "packages", "cli", "bin", "allo.mjs");
let appDir: string;
let dev: ChildProcess;
let output = "";
let observer: RawAgent;

// The key lets the renderer hand the entity over to the reloaded component (docs/renderer.md, keyed swaps).
const label = (
  text: string,
  body = `return <entity key="greeting" text={{ string: ${JSON.stringify(text)} }} />;`,
) => `// The label the test edits.
export function Greeting() {
  ${body}
}
`;

let lastSave = 0;
/** Saves label.tsx at a person's pace: the file watcher can drop a change that follows another within a few ms. */
async function saveLabel(source: string): Promise<void> {
  const wait = lastSave + 300 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  writeFileSync(join(appDir, "src", "label.tsx"), source);
  lastSave = Date.now();
}

async function waitForOutput(pattern: RegExp, from = 0, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = output.slice(from).match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`allo dev never printed ${pattern}; it printed:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const texts = () =>
  Object.values(observer.mirror?.entities ?? {})
    .map((e: any) => e.components.text?.string)
    .filter(Boolean);
const entityWithText = (text: string) =>
  Object.values(observer.mirror?.entities ?? {}).find((e: any) => e.components.text?.string === text)?.id;
const appAgent = async () => {
  const [, , list] = await observer.request(["list_agents"]);
  return list.find((a: any) => a.display_name === "Hot App");
};

beforeAll(async () => {
  mkdirSync(join(import.meta.dirname, ".tmp"), { recursive: true });
  appDir = mkdtempSync(join(import.meta.dirname, ".tmp", "dev-"));
  mkdirSync(join(appDir, "src"));
  writeFileSync(
    join(appDir, "package.json"),
    JSON.stringify({ name: "hot-app", private: true, type: "module", allo: { displayName: "Hot App" } }),
  );
  writeFileSync(join(appDir, "src", "label.tsx"), label("Hello"));
  writeFileSync(
    join(appDir, "src", "app.tsx"),
    `import { Greeting } from "./label.tsx";
export default function App() {
  return (
    <entity transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1.2, -2, 1] }}>
      <Greeting />
    </entity>
  );
}
`,
  );
  dev = spawn(process.execPath, [allo, "dev", "src/app.tsx", "--port", "0", "--no-visor"], {
    cwd: appDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  dev.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  dev.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  // The first start loads Vite and compiles the app: on a loaded 2-core machine that alone can take tens of seconds.
  const [, url] = await waitForOutput(/ws: (ws:\/\/[^\s)]+)\)/, 0, 90_000);
  await waitForOutput(/✓ running \/src\/app\.tsx/, 0, 90_000);
  observer = await connectRawAgent(url, { timeoutMs: 20_000 });
  await observer.announce({ display_name: "observer" }, {});
  await observer.until(() => texts().includes("Hello"));
}, 200_000);

afterEach((context) => {
  if (context.task.result?.state === "fail") process.stdout.write(`allo dev printed:\n${output}\n`);
});

afterAll(async () => {
  await observer?.close();
  if (dev && dev.exitCode === null) {
    dev.kill("SIGTERM");
    await new Promise((r) => dev.once("exit", r));
  }
  rmSync(appDir, { recursive: true, force: true });
});

describe("allo dev", () => {
  it("prints the place it started and runs the app in it", async () => {
    expect(output).toMatch(/allo dev: .*src\/app\.tsx/);
    expect(output).toMatch(/place {2}alloplace:\/\/127\.0\.0\.1:\d+/);
    const agent = await appAgent();
    expect(agent.avatar_id).toEqual(expect.any(String));
    expect(observer.mirror!.entities[agent.avatar_id]).toBeDefined();
  });

  it("hot-reloads an edited component on the same connection and avatar", async () => {
    const before = await appAgent();
    const labelId = entityWithText("Hello");
    const from = output.length;
    await saveLabel(label("Goodbye"));
    await observer.until(() => texts().includes("Goodbye"), 15_000);
    expect(texts()).not.toContain("Hello");
    expect(entityWithText("Goodbye")).toBe(labelId); // changed in place: same entity
    await waitForOutput(/✓ hot updated \/src\/label\.tsx/, from);
    const after = await appAgent();
    expect(after).toMatchObject({ agent_id: before.agent_id, avatar_id: before.avatar_id });
    const [, , list] = await observer.request(["list_agents"]);
    expect(list).toHaveLength(2); // the app and the observer: no reconnect, no second app
  });

  it("shows a syntax error clearly and keeps the last good version running", async () => {
    const before = await appAgent();
    const from = output.length;
    await saveLabel(label("Broken", `return <entity text={{ string: "Broken" + }} />;`));
    const [report] = await waitForOutput(/✗ could not reload \/src\/label\.tsx[\s\S]*?save again to retry/, from);
    expect(report).toMatch(/Unexpected token \(3:\d+\)/);
    expect(report).toContain(`string: "Broken" + }`);
    expect(texts()).toContain("Goodbye");
    await saveLabel(label("Fixed"));
    await observer.until(() => texts().includes("Fixed"), 15_000);
    expect(await appAgent()).toMatchObject({ agent_id: before.agent_id, avatar_id: before.avatar_id });
  });

  it("shows a runtime error clearly, keeps the last good version, and recovers on the next good save", async () => {
    const before = await appAgent();
    const from = output.length;
    // A bug that only shows when the component renders (solid-refresh swaps functions that return JSX).
    const buggy = `const words = undefined as unknown as string[];\n  return <entity text={{ string: words.join(" ") }} />;`;
    await saveLabel(label("Thrown", buggy));
    const [report] = await waitForOutput(/✗ runtime error[\s\S]*?save again to retry/, from);
    expect(report).toMatch(/TypeError: Cannot read properties of undefined \(reading 'join'\)/);
    expect(report).toMatch(/label\.tsx:\d+:\d+/);
    expect(texts()).toContain("Fixed");
    await saveLabel(label("Recovered"));
    await observer.until(() => texts().includes("Recovered"), 15_000);
    expect(await appAgent()).toMatchObject({ agent_id: before.agent_id, avatar_id: before.avatar_id });
  });

  it("hot-reloads an edit of the entry module itself on the same connection and avatar", async () => {
    const before = await appAgent();
    const wait = lastSave + 300 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    writeFileSync(
      join(appDir, "src", "app.tsx"),
      `import { Greeting } from "./label.tsx";
export default function App() {
  return (
    <entity transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1.2, -2, 1] }}>
      <Greeting />
      <entity key="extra" text={{ string: "Extra" }} />
    </entity>
  );
}
`,
    );
    lastSave = Date.now();
    await observer.until(() => texts().includes("Extra"), 15_000);
    expect(texts()).toContain("Recovered");
    expect(await appAgent()).toMatchObject({ agent_id: before.agent_id, avatar_id: before.avatar_id });
  });

  it("stops the app and the place on SIGTERM", async () => {
    dev.kill("SIGTERM");
    const code = await new Promise((r) => dev.once("exit", r));
    expect(code).toBe(0);
    expect((await observer.closed).code).toBe(1001); // the place closed
  });
});
