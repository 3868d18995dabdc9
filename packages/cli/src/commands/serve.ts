// `allo serve [app…] [--port 8000]`: the app gateway (@allo/gateway) for the current folder or for several apps.
import { stopSignal } from "../stop-signal.ts";
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { discoverAppFolders, loadAppFolder, startGateway, type AppFolder } from "@allo/gateway";

export const SERVE_USAGE = `Usage: allo serve [app-folder…] [options]

Starts the app gateway: each launch_app from a place starts a fresh process of the app, connected to that place.
With no folder it serves the app in the current folder at /; with several, each at /<folder name>.

  --port <n>                    port to listen on (default 8000)
  --host <address>              address to listen on (default: all)
  --root <folder>               serve every app folder inside this folder (like the original APPS_ROOT)
  --max-instances-per-app <n>   live processes per app (default 16); more launches get 503
  --max-instances <n>           live processes in total (default 64)
  --standby <n>                 warm processes kept per app, so a launch does not wait for Node to start and the
                                app to compile (default 1; 0 turns them off); they count against the limits
  --place-away <seconds>        how long an app keeps reconnecting to a place that went away (a restart) before it
                                exits and is reaped (default 300)`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      root: { type: "string" },
      "max-instances-per-app": { type: "string" },
      "max-instances": { type: "string" },
      standby: { type: "string" },
      "place-away": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(SERVE_USAGE + "\n");
    return 0;
  }
  const apps = appsToServe(positionals, values.root);
  const gateway = await startGateway({
    apps,
    port: count(values.port, "--port", 8000),
    host: values.host,
    maxInstancesPerApp: count(values["max-instances-per-app"], "--max-instances-per-app", 16),
    maxInstances: count(values["max-instances"], "--max-instances", 64),
    standby: count(values.standby, "--standby", 1),
    placeAwayMs: count(values["place-away"], "--place-away", 300) * 1000,
  });
  const stopped = stopSignal();
  process.stdout.write(
    [
      `Allo app gateway on ${gateway.url}`,
      ...apps.map((a) => `  alloapp:${gateway.url}${a.path}  ${a.displayName} (${a.name})`),
      "Ctrl-C to stop",
      "",
    ].join("\n"),
  );
  await stopped;
  await gateway
    .close()
    .catch((error: unknown) =>
      process.stderr.write(`allo serve: could not stop cleanly: ${(error as Error).message}\n`),
    );
  return 0;
}

/** One folder (default: here) at "/"; several at "/<folder name>"; --root: every app folder inside it. */
export function appsToServe(folders: string[], root?: string): AppFolder[] {
  const dirs = [...folders.map((f) => resolve(f)), ...(root ? discoverAppFolders(root) : [])];
  if (dirs.length === 0) return [loadAppFolder(process.cwd(), "/")];
  if (dirs.length === 1 && !root) return [loadAppFolder(dirs[0], "/")];
  return dirs.map((dir) => loadAppFolder(dir, "/" + basename(dir)));
}

function count(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number, got ${value}`);
  return n;
}
