// `allo dev` in the terminal's process: the place (embedded, or one given by URL) and the app process (child.ts)
// that hot-reloads the app. The place lives here so it survives anything the app does.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parsePlaceUrl, type LogLevel } from "@allo/protocol";
import { startPlace, type Place } from "@allo/place";
import { ensureVisorBuilt, visorBuildReason, visorHttpHandler, type BuildOutcome } from "@allo/visor";

export interface DevSessionOptions {
  /** The app's entry, default src/app.tsx. */
  entry?: string;
  cwd?: string;
  /** Use this place instead of starting one. */
  placeUrl?: string;
  /** Port of the embedded place; default 21337, or a free one when that is taken. */
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  /** Serve the web visor from the embedded place, building it first if needed (default true). */
  visor?: boolean;
  /** Where the app process writes; default: this process's stdout/stderr. */
  stdio?: "inherit" | "pipe";
}

export interface DevSession {
  /** The place the app runs in (ws://…). */
  placeUrl: string;
  /** The embedded place, when this session started one. */
  place: Place | undefined;
  /** The web visor's URL, when the embedded place serves one. */
  visorUrl: string | undefined;
  /** Why the visor is being built (it is served once built), or undefined when it is ready or not served. */
  visorBuilding: string | undefined;
  /** Settles when the visor build is done (at once when none was needed). */
  visorReady: Promise<BuildOutcome | undefined>;
  entry: string;
  root: string;
  child: ChildProcess;
  /** Resolves with the app process's exit code. */
  exited: Promise<number>;
  close(): Promise<void>;
}

export class DevError extends Error {
  override name = "DevError";
}

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));
const DEFAULT_PORT = 21337;

export async function startDevSession(options: DevSessionOptions = {}): Promise<DevSession> {
  const cwd = options.cwd ?? process.cwd();
  const entry = resolve(cwd, options.entry ?? "src/app.tsx");
  if (!existsSync(entry)) {
    throw new DevError(
      `${options.entry ?? "src/app.tsx"} does not exist here; run allo dev in your app's folder, or pass its entry: allo dev path/to/app.tsx`,
    );
  }
  const root = projectRoot(entry);
  const displayName = displayNameOf(root);
  const serveVisor = !options.placeUrl && options.visor !== false;
  const { place, placeUrl } = options.placeUrl
    ? { place: undefined, placeUrl: parsePlaceUrl(options.placeUrl).href }
    : await embeddedPlace(displayName, options, serveVisor);
  // Built in the background: the app starts at once; until the build is done the place shows its own page.
  const visorBuilding = serveVisor ? visorBuildReason() : undefined;
  const visorReady = serveVisor ? ensureVisorBuilt() : Promise.resolve(undefined);

  const loaders = ["tsx", "@allo/ui/register"].flatMap((specifier) => ["--import", loaderUrl(specifier, root)]);
  const child = spawn(process.execPath, [...loaders, CHILD], {
    cwd: root,
    stdio: options.stdio === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit",
    env: {
      ...process.env,
      ALLO_DEV_ENTRY: entry,
      ALLO_DEV_ROOT: root,
      ALLO_DEV_NAME: displayName,
      ALLO_PLACE_URL: placeUrl,
      // solid-refresh needs Solid's dev build (docs/renderer.md, "Compiling").
      SOLID_DEV: "1",
      NODE_ENV: "development",
      // The app reconnects when its place restarts. The embedded place lives and dies with this process, which stops
      // the app itself; should this process be killed outright, the app gives up after 10 s instead of 5 minutes.
      ...(place && !process.env.ALLO_RECONNECT_GIVE_UP_MS ? { ALLO_RECONNECT_GIVE_UP_MS: "10000" } : {}),
    },
  });
  const exited = new Promise<number>((resolveExit) =>
    child.once("exit", (code, signal) => resolveExit(code ?? (signal ? 128 : 1))),
  );
  let closing: Promise<void> | undefined;
  return {
    placeUrl,
    place,
    visorUrl: serveVisor ? placeUrl.replace(/^ws/, "http") : undefined,
    visorBuilding,
    visorReady,
    entry,
    root,
    child,
    exited,
    close() {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        }
        await place?.close();
        // A visor build stopped halfway would leave its lock behind for other processes: let it finish.
        await visorReady.catch(() => undefined);
      })();
      return closing;
    },
  };
}

async function embeddedPlace(
  displayName: string,
  options: DevSessionOptions,
  visor: boolean,
): Promise<{ place: Place; placeUrl: string }> {
  const httpHandler = visor ? visorHttpHandler() : undefined;
  const start = (port: number) =>
    startPlace({
      port,
      host: options.host ?? "127.0.0.1",
      name: `${displayName} (allo dev)`,
      logLevel: options.logLevel ?? "warn",
      httpHandler,
    });
  let place: Place;
  try {
    place = await start(options.port ?? DEFAULT_PORT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || options.port !== undefined) throw error;
    place = await start(0); // 21337 is taken (another place?): any free port will do for development
  }
  return { place, placeUrl: place.url };
}

/** The nearest folder above the entry holding a package.json (the app's project), else the entry's folder. */
export function projectRoot(entry: string): string {
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return dirname(entry);
  }
}

function displayNameOf(root: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      name?: string;
      allo?: { displayName?: string };
    };
    return pkg.allo?.displayName ?? pkg.name ?? "Allo app";
  } catch {
    return "Allo app";
  }
}

/** A loader as the app sees it (its own node_modules first), else as @allo/cli sees it. */
function loaderUrl(specifier: string, root: string): string {
  for (const base of [join(root, "package.json"), fileURLToPath(import.meta.url)]) {
    try {
      return pathToFileURL(createRequire(base).resolve(specifier)).href;
    } catch {
      // not installed there; try the next
    }
  }
  throw new DevError(
    `cannot find ${specifier}; install it in the app (npm install ${specifier.split("/").slice(0, 2).join("/")})`,
  );
}
