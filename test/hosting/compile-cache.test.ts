// The Node hook's persistent compile cache (packages/ui/src/compile-cache.mjs), through real `node --import
// @allo/ui/register` processes: entries are reused, never stale, safe to fill from several processes at once.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { transformAsync } from "@babel/core";
import { solidBabelOptions } from "../../packages/ui/src/babel-options.mjs";

const register = pathToFileURL(createRequire(import.meta.url).resolve("@allo/ui/register")).href;
const root = mkdtempSync(join(tmpdir(), "allo-compile-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A fresh folder with one .tsx file (typed, so Babel has to compile it); its cache folder does not exist yet. */
function project(says: string): { file: string; cache: string } {
  const dir = join(root, `p${++n}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "app.tsx");
  writeFileSync(file, program(says));
  return { file, cache: join(dir, "cache") };
}
const program = (says: string) =>
  `const says: string = ${JSON.stringify(says)};\nconsole.log(says satisfies string);\n`;

async function run(file: string, cache: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", register, file], {
    env: { ...process.env, ALLO_BABEL_CACHE: cache },
  });
  return stdout.trim();
}
const entries = (cache: string) => readdirSync(cache).filter((f) => f.endsWith(".js"));

describe("the compile cache of @allo/ui/register", () => {
  it("stores Babel's own output, and a later process runs what it stored", async () => {
    const { file, cache } = project("first");
    expect(await run(file, cache)).toBe("first");
    const [entry] = entries(cache);
    const stored = readFileSync(join(cache, entry), "utf8");
    const fresh = (await transformAsync(program("first"), solidBabelOptions(file)))!.code!;
    expect(stored.startsWith(fresh + "\n//# allo-babel-cache ")).toBe(true);

    // Proof the second process reads the entry instead of compiling: plant different code under the same key.
    writeFileSync(join(cache, entry), stored.replace(fresh, 'console.log("from the cache");'));
    expect(await run(file, cache)).toBe("from the cache");
  });

  it("is never stale: an edited source is compiled again", async () => {
    const { file, cache } = project("before");
    expect(await run(file, cache)).toBe("before");
    writeFileSync(file, program("after"));
    expect(await run(file, cache)).toBe("after");
    expect(entries(cache)).toHaveLength(2);
  });

  it("treats a truncated entry as missing and replaces it", async () => {
    const { file, cache } = project("whole");
    await run(file, cache);
    const [entry] = entries(cache);
    const path = join(cache, entry);
    writeFileSync(path, readFileSync(path, "utf8").slice(0, 40));
    expect(await run(file, cache)).toBe("whole");
    expect(readFileSync(path, "utf8")).toMatch(/\n\/\/# allo-babel-cache [0-9a-f]{64}\n$/);
  });

  it("is filled safely by processes starting at once", async () => {
    const { file, cache } = project("together");
    const outputs = await Promise.all([1, 2, 3, 4].map(() => run(file, cache)));
    expect(outputs).toEqual(["together", "together", "together", "together"]);
    expect(readdirSync(cache)).toEqual(entries(cache)); // no temporary file left behind
    expect(entries(cache)).toHaveLength(1);
    expect(await run(file, cache)).toBe("together");
  });

  it("is off with ALLO_BABEL_CACHE=0", async () => {
    const { file, cache } = project("uncached");
    expect(await run(file, "0")).toBe("uncached");
    expect(() => readdirSync(cache)).toThrow(/ENOENT/);
  });
});
