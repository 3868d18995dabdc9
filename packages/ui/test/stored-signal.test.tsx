// createStoredSignal against a real SQLite file: one transaction per tick, WAL, values read back by another
// connection, scopes kept apart, and the place's URL as the default scope inside an app.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRoot } from "solid-js";
import { parsePlaceUrl } from "@allo/protocol";
import { createStoredSignal } from "../src/index.ts";
import { AppStore, appStoreIn } from "../src/app-store.ts";
import { mountForTest, type TestMount } from "@allo/testing";

const dirs: string[] = [];
let mount: TestMount | undefined;
afterEach(async () => {
  await mount?.close();
  mount = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "allo-stored-"));
  dirs.push(dir);
  return dir;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("createStoredSignal", () => {
  it("starts from the initial value, and writes every value set in one tick in one transaction", async () => {
    const dir = dataDir();
    const store = appStoreIn(dir);
    const [count, setCount] = createRoot(() => createStoredSignal("count", 0, { dataDir: dir, scope: "test" }));
    expect(count()).toBe(0);
    const before = store.transactions;
    for (let i = 1; i <= 1000; i++) setCount((n) => n + 1);
    expect(count()).toBe(1000);
    await nextTick();
    expect(store.transactions).toBe(before + 1);
    // Another connection to the file (another process would see the same): the last value, in WAL mode.
    const other = new AppStore(join(dir, "stored-signals.sqlite"));
    try {
      expect(other.read("test", "count")).toBe(1000);
    } finally {
      other.close();
    }
    expect(createRoot(() => createStoredSignal("count", 0, { dataDir: dir, scope: "test" }))[0]()).toBe(1000);
  });

  it("keeps scopes apart and stores any JSON value", async () => {
    const dir = dataDir();
    const [, setA] = createRoot(() =>
      createStoredSignal<{ strokes: number[][] }>("board", { strokes: [] }, { dataDir: dir, scope: "alloplace://a:1" }),
    );
    const [b] = createRoot(() =>
      createStoredSignal<{ strokes: number[][] }>("board", { strokes: [] }, { dataDir: dir, scope: "alloplace://b:2" }),
    );
    setA({ strokes: [[0, 1, 2]] });
    await nextTick();
    expect(
      createRoot(() =>
        createStoredSignal("board", { strokes: [] as number[][] }, { dataDir: dir, scope: "alloplace://a:1" }),
      )[0](),
    ).toEqual({ strokes: [[0, 1, 2]] });
    expect(b()).toEqual({ strokes: [] });
    expect(appStoreIn(dir).read("alloplace://b:2", "board")).toBeUndefined();
  });

  it("is scoped by the place an app runs in", async () => {
    const dir = dataDir();
    let set!: (n: number) => void;
    mount = await mountForTest(() => {
      const [count, setCount] = createStoredSignal("count", 5, { dataDir: dir });
      set = setCount;
      return <entity text={{ string: `count ${count()}` }} />;
    });
    set(6);
    await nextTick();
    expect(appStoreIn(dir).read(parsePlaceUrl(mount.place.url).toString(), "count")).toBe(6);
  });

  it("refuses an empty key", () => {
    expect(() => createRoot(() => createStoredSignal("", 0, { dataDir: dataDir() }))).toThrow(/needs a key/);
  });
});
