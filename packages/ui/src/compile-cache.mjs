// A persistent cache of Babel output for the Node hook (solid-hooks.mjs): an app process that starts again with the
// same sources skips loading and running Babel. Entries are keyed by a hash of everything that decides the output
// (source text, file name, options, the versions of Babel, the presets and their plugins), so an entry is never stale:
// a changed input is a different key. Written to a temporary file and renamed, so concurrent processes never read a
// half-written entry. ALLO_BABEL_CACHE=0 turns it off; ALLO_BABEL_CACHE=<folder> puts it there.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";

/** Bump when the entry format or the way keys are made changes. */
const FORMAT = "allo-babel-1";
const TRAILER = "\n//# allo-babel-cache ";
const PRUNE_AFTER_MS = 30 * 24 * 3600 * 1000;
/** The packages whose versions decide Babel's output, and (one level down) their own dependencies. */
const TOOLCHAIN = ["@babel/core", "babel-preset-solid", "@babel/preset-typescript", "solid-refresh"];

const require = createRequire(import.meta.url);
let toolchain;
let folder;
let pruned = false;
let warned = false;

/** The folder entries live in, or null when the cache is off. */
export function cacheFolder() {
  if (folder !== undefined) return folder;
  const setting = process.env.ALLO_BABEL_CACHE;
  if (setting === "0" || setting === "false" || setting === "off") return (folder = null);
  if (setting) return (folder = setting);
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules"))) return (folder = join(dir, "node_modules", ".cache", "allo-babel"));
    if (dir === dirname(dir)) break;
  }
  return (folder = fallbackFolder());
}

function fallbackFolder() {
  let user = "user";
  try {
    user = String(userInfo().uid ?? userInfo().username);
  } catch {
    // no user entry (some containers): share the folder name, entries are still keyed by content
  }
  return join(tmpdir(), `allo-babel-${user}`);
}

/** The key of one compile: everything the output depends on. */
export function cacheKey(source, options) {
  return createHash("sha256")
    .update(FORMAT)
    .update("\0")
    .update(toolchainFingerprint())
    .update("\0")
    .update(JSON.stringify(options))
    .update("\0")
    .update(source)
    .digest("hex");
}

/** The cached code for `key`, or undefined. A truncated or foreign file is a miss. */
export async function readCached(key) {
  const dir = cacheFolder();
  if (!dir) return undefined;
  let text;
  try {
    text = await readFile(join(dir, `${key}.js`), "utf8");
  } catch (error) {
    if (error.code !== "ENOENT") warnOnce(`could not read ${join(dir, key)}.js`, error);
    return undefined;
  }
  const trailer = TRAILER + key + "\n";
  return text.endsWith(trailer) ? text.slice(0, -trailer.length) : undefined;
}

/** Stores `code` under `key`: write a temporary file, then rename it into place (atomic on one file system). */
export async function writeCached(key, code) {
  const dir = cacheFolder();
  if (!dir) return;
  const file = join(dir, `${key}.js`);
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    await writeFile(temp, code + TRAILER + key + "\n");
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {}); // best effort: the write already failed and is reported below
    if (dir !== fallbackFolder() && !process.env.ALLO_BABEL_CACHE) {
      folder = fallbackFolder(); // node_modules not writable (a read-only install): use the temp folder
      return writeCached(key, code);
    }
    warnOnce(`could not write ${file}`, error);
    return;
  }
  if (!pruned) {
    pruned = true;
    void prune(dir);
  }
}

/** Removes entries nobody wrote for a month (every edit of a file makes a new one). */
async function prune(dir) {
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [])) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > PRUNE_AFTER_MS) await rm(path, { force: true }).catch(() => {}); // another process may have removed it
  }
}

/** The versions of the compile toolchain and of their direct dependencies, as one string. Read once per process. */
export function toolchainFingerprint() {
  if (toolchain) return toolchain;
  const parts = [];
  for (const name of TOOLCHAIN) {
    const pkg = findPackage(dirname(require.resolve("./babel-options.mjs")), name);
    if (!pkg) {
      parts.push(`${name}@-`);
      continue;
    }
    parts.push(`${name}@${pkg.json.version}`);
    for (const dep of Object.keys(pkg.json.dependencies ?? {}).sort()) {
      parts.push(`${dep}@${findPackage(pkg.dir, dep)?.json.version ?? "-"}`);
    }
  }
  return (toolchain = parts.join(","));
}

/** Node's lookup of `name` from `fromDir` (node_modules folders upwards), without resolving its exports. */
function findPackage(fromDir, name) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const file = join(dir, "node_modules", name, "package.json");
    if (existsSync(file)) {
      try {
        return { dir: dirname(file), json: JSON.parse(readFileSync(file, "utf8")) };
      } catch (error) {
        warnOnce(`could not read ${file}`, error);
        return undefined;
      }
    }
    if (dir === dirname(dir)) return undefined;
  }
}

function warnOnce(what, error) {
  if (warned) return;
  warned = true;
  process.stderr.write(`@allo/ui: compile cache: ${what} (${error.message}); compiling without it\n`);
}
