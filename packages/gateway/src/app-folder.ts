// One served app: a folder with a package.json, mapped to one URL path (docs/protocol.md §8 "one app per path").
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export interface AppFolder {
  /** URL path the gateway serves this app at, e.g. "/" or "/clock". */
  path: string;
  /** Absolute folder; the app process runs with it as its working directory. */
  dir: string;
  name: string;
  displayName: string;
  description: string;
  /** Absolute path of the module the app process runs. */
  entry: string;
  /** What to run; the place URL is appended as the last argument (not for a warm standby: it gets it over IPC). */
  command: string[];
  /**
   * Whether the gateway may keep warm standbys of it: it runs on @allo/ui, whose runApp waits for the launch when
   * started as a standby (it depends on @allo/ui, or its entry is compiled by @allo/ui/register). `"allo":
   * { "standby": true | false }` in package.json says so explicitly.
   */
  standby?: boolean;
}

export class AppFolderError extends Error {
  override name = "AppFolderError";
}

interface PackageJson {
  name?: unknown;
  displayName?: unknown;
  description?: unknown;
  main?: unknown;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  allo?: { displayName?: unknown; main?: unknown; standby?: unknown };
}

const DEFAULT_ENTRIES = ["src/main.ts", "src/main.tsx", "src/app.tsx", "index.mjs", "index.js"];

/** Reads an app folder's package.json: name, display name, description and the entry to run. Throws AppFolderError. */
export function loadAppFolder(folder: string, path = "/"): AppFolder {
  const dir = resolve(folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AppFolderError(`${folder} is not a folder`);
  const pkgFile = join(dir, "package.json");
  if (!existsSync(pkgFile)) throw new AppFolderError(`${folder} has no package.json; an app folder needs one`);
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as PackageJson;
  } catch (e) {
    throw new AppFolderError(`${pkgFile} is not valid JSON: ${(e as Error).message}`);
  }
  const name = typeof pkg.name === "string" && pkg.name ? pkg.name : basename(dir);
  const displayName = str(pkg.allo?.displayName) ?? str(pkg.displayName) ?? name;
  const declared = str(pkg.allo?.main) ?? str(pkg.main);
  const entry = declared ? resolve(dir, declared) : DEFAULT_ENTRIES.map((e) => join(dir, e)).find((e) => existsSync(e));
  if (!entry)
    throw new AppFolderError(`${folder}: no entry found; set "allo": { "main": "src/main.ts" } in package.json`);
  if (!isInside(dir, entry)) throw new AppFolderError(`${folder}: entry ${declared} is outside the app folder`);
  if (!existsSync(entry)) throw new AppFolderError(`${folder}: entry ${relative(dir, entry)} does not exist`);
  if (pkg.allo?.standby !== undefined && typeof pkg.allo.standby !== "boolean") {
    throw new AppFolderError(`${pkgFile}: "allo": { "standby" } must be true or false`);
  }
  const command = appCommand(dir, entry);
  const standby = typeof pkg.allo?.standby === "boolean" ? pkg.allo.standby : runsOnAlloUi(pkg, dir, entry);
  return {
    path: normalisePath(path),
    dir,
    name,
    displayName,
    description: str(pkg.description) ?? "",
    entry,
    command,
    standby,
  };
}

/**
 * The command that runs an entry: plain Node for .js/.mjs; TypeScript through tsx, and Solid JSX through
 * @allo/ui/register when the app depends on it (docs/architecture.md: how Node runs .ts and .tsx).
 */
export function appCommand(dir: string, entry: string): string[] {
  if (/\.(m|c)?js$/.test(entry)) return [process.execPath, entry];
  const req = createRequire(join(dir, "package.json"));
  const loaders: string[] = [];
  for (const specifier of ["tsx", "@allo/ui/register"]) {
    const found = tryResolve(req, specifier);
    if (found) loaders.push("--import", pathToFileURL(found).href);
    else if (specifier === "tsx")
      throw new AppFolderError(`${dir}: cannot run ${basename(entry)} without tsx; add it to the app's dependencies`);
  }
  return [process.execPath, ...loaders, entry];
}

/** Whether an app runs on @allo/ui: it depends on it, or its .ts/.tsx entry is compiled by @allo/ui/register. */
function runsOnAlloUi(pkg: PackageJson, dir: string, entry: string): boolean {
  if (pkg.dependencies?.["@allo/ui"] !== undefined || pkg.devDependencies?.["@allo/ui"] !== undefined) return true;
  return (
    !/\.(m|c)?js$/.test(entry) &&
    tryResolve(createRequire(join(dir, "package.json")), "@allo/ui/register") !== undefined
  );
}

/** Every subfolder of root holding a package.json, served at /<folder name> (the original gateway's APPS_ROOT). */
export function discoverAppFolders(root: string): string[] {
  return readdirSync(resolve(root), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith(".") && d.name !== "node_modules")
    .map((d) => join(resolve(root), d.name))
    .filter((d) => existsSync(join(d, "package.json")));
}

/** "/clock/" → "/clock"; "" → "/". */
export function normalisePath(path: string): string {
  return "/" + path.split("/").filter(Boolean).join("/");
}

export function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

function str(x: unknown): string | undefined {
  return typeof x === "string" && x.trim() ? x : undefined;
}

function tryResolve(req: NodeJS.Require, specifier: string): string | undefined {
  try {
    return req.resolve(specifier);
  } catch {
    return undefined; // not installed for this app: the caller decides whether that is fatal
  }
}
