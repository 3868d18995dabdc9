// `allo start`: everything a newcomer needs in one command — a place serving the web visor at `/`, a gateway serving
// the example apps, each example launched into the place through launch_app (as a user would, docs/protocol.md §8),
// and the visor's URL to open.
import { stopSignal } from "../stop-signal.ts";
import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connect } from "@allo/client";
import { startGateway, discoverAppFolders, loadAppFolder, type Gateway } from "@allo/gateway";
import { configureLaunchApp, startPlace, type Place } from "@allo/place";
import { createLogger, DEFAULT_PORT, PLACE_ENTITY_ID, type LogLevel } from "@allo/protocol";
import { ensureVisorBuilt, visorHttpHandler } from "@allo/visor";
import { HTTPS_HELP, httpsUrls, tlsFromFlags, type Tls } from "../https.ts";

export const START_USAGE = `allo start [--port 21337] [--host 127.0.0.1] [--gateway-port 8000] [--apps <folder>] [--no-launch] [--https | --cert FILE --key FILE]

Starts a place (with the web visor at its / URL), a gateway serving every app folder in --apps (default: the
examples), launches each app into the place, and prints the URL to open in a browser. Ctrl-C stops everything.
${HTTPS_HELP}`;

const REPO_EXAMPLES = fileURLToPath(new URL("../../../../examples/", import.meta.url));

export interface StartOptions {
  port?: number;
  host?: string;
  gatewayPort?: number;
  /** Folder whose sub-folders are apps; default ./examples if it exists, else Allo's own examples. */
  appsDir?: string;
  /** Only these app folders (by folder name) of appsDir; default all. */
  appNames?: string[];
  /** Launch every app into the place (default true). */
  launch?: boolean;
  logLevel?: LogLevel;
  /** Where the human-readable lines go (default stdout). */
  print?: (line: string) => void;
  /** Serve HTTPS and wss on the place's port too (plain HTTP and ws go on working there). */
  tls?: Tls;
}

export interface Started {
  place: Place;
  gateway: Gateway;
  visorUrl: string;
  /** With tls: the https:// visor URLs, LAN addresses first (what to type into a headset). */
  secureVisorUrls: string[];
  /** The app avatars launched, by app path; or the error that app's launch gave. */
  launched: Record<string, { avatarId?: string; error?: string }>;
  close(): Promise<void>;
}

export async function start(options: StartOptions = {}): Promise<Started> {
  const print = options.print ?? ((line: string) => console.log(line));
  const log = createLogger("start", options.logLevel);
  const host = options.host ?? (options.tls ? "0.0.0.0" : "127.0.0.1");

  const build = await ensureVisorBuilt();
  if (build.built) print(`Built the web visor (${build.reason}) in ${(build.ms / 1000).toFixed(1)} s.`);

  const place = await startPlace({
    port: options.port ?? DEFAULT_PORT,
    host,
    name: "Allo",
    logLevel: options.logLevel,
    httpHandler: visorHttpHandler(),
    tls: options.tls,
  });
  let gateway: Gateway | undefined;
  try {
    const appsDir = resolve(options.appsDir ?? (existsSync("examples") ? "examples" : REPO_EXAMPLES));
    const folders = existsSync(appsDir) ? discoverAppFolders(appsDir) : [];
    const wanted = options.appNames;
    const missing = wanted?.filter((name) => !folders.some((dir) => basename(dir) === name)) ?? [];
    if (missing.length) throw new Error(`no app folder named ${missing.join(", ")} in ${appsDir}`);
    const apps = folders
      .filter((dir) => !wanted || wanted.includes(basename(dir)))
      .map((dir) => loadAppFolder(dir, `/${basename(dir)}`));
    gateway = await startGateway({ apps, port: options.gatewayPort ?? 8000, host, logLevel: options.logLevel });
    // launch_app refuses loopback and private addresses unless allowed (docs/protocol.md §10): allow our own gateway.
    configureLaunchApp(place.ctx, { allowPrivateAddresses: ownGateway(gateway.url) });
    const launched = options.launch === false ? {} : await launchAll(place.url, gateway, log);
    const httpHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
    const visorUrl = `http://${httpHost}:${place.port}/`;
    const secureVisorUrls = options.tls ? httpsUrls(host, place.port) : [];

    print("");
    print(`Allo is running.`);
    print(`  Place:   ${place.publicUrl}`);
    print(`  Gateway: ${gateway.url} (${apps.length} app${apps.length === 1 ? "" : "s"} from ${appsDir})`);
    for (const app of apps) {
      const result = launched[app.path];
      const state = !result ? "not launched" : result.error ? `launch failed: ${result.error}` : "launched";
      print(`    alloapp:${gateway.url}${app.path}  ${app.displayName} — ${state}`);
    }
    print("");
    print(`  Open the visor: ${visorUrl}`);
    for (const url of secureVisorUrls)
      print(
        `  Visit in VR:    ${url}${options.tls?.generated ? "  (self-signed: accept it once in the headset's browser)" : ""}`,
      );
    print("");
    const running = gateway;
    return {
      place,
      gateway: running,
      visorUrl,
      secureVisorUrls,
      launched,
      close: async () => {
        await running.close();
        await place.close();
      },
    };
  } catch (error) {
    await gateway?.close();
    await place.close();
    throw error;
  }
}

/** The addresses the place may launch from: the gateway's own, whichever family its name resolves to. */
function ownGateway(gatewayUrl: string): string[] {
  const { hostname, port } = new URL(gatewayUrl);
  const address = hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(address) === 6) return [`[${address}]:${port}`];
  if (isIP(address) === 4 && address !== "0.0.0.0") return [`${address}:${port}`];
  return [`127.0.0.1:${port}`, `[::1]:${port}`];
}

/** Launch each app through the place, from a short-lived agent, side by side in front of where visors arrive. */
async function launchAll(
  placeUrl: string,
  gateway: Gateway,
  log: ReturnType<typeof createLogger>,
): Promise<Started["launched"]> {
  const launched: Started["launched"] = {};
  if (gateway.apps.length === 0) return launched;
  const launcher = await connect(placeUrl, { identity: { display_name: "allo start" }, logger: log.child("launcher") });
  try {
    // An app's root view is placed at its initialLocation (alloui's rule): a row at table height, each turned to
    // face where visors arrive (0, 0, 1.5).
    const spacing = 1.6;
    await Promise.all(
      gateway.apps.map(async (app, i) => {
        const x = (i - (gateway.apps.length - 1) / 2) * spacing;
        const [y, z] = [1.3, -1.5];
        const yaw = Math.atan2(-x, 1.5 - z);
        const [c, s] = [Math.cos(yaw), Math.sin(yaw)];
        const initialLocation = [c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, x, y, z, 1];
        try {
          const answer = await launcher.request(
            launcher.avatarId,
            PLACE_ENTITY_ID,
            ["launch_app", `alloapp:${gateway.url}${app.path}`, { initialLocation }],
            { timeout: 40_000 },
          );
          launched[app.path] = { avatarId: String(answer[2]) };
        } catch (error) {
          launched[app.path] = { error: (error as Error).message };
          log.warn(`could not launch ${app.path}`, { error });
        }
      }),
    );
  } finally {
    await launcher.close();
  }
  return launched;
}

/** The command line: `allo start …`. Resolves when stopped (Ctrl-C). */
export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "gateway-port": { type: "string" },
      apps: { type: "string" },
      "no-launch": { type: "boolean" },
      https: { type: "boolean" },
      cert: { type: "string" },
      key: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(START_USAGE);
    return 0;
  }
  const port = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new Error(`--${name} must be a port number (0–65535), got "${v}"`);
    return n;
  };
  const stopped = stopSignal();
  const started = await start({
    port: port("port", values.port),
    host: values.host,
    gatewayPort: port("gateway-port", values["gateway-port"]),
    appsDir: values.apps ? join(process.cwd(), values.apps) : undefined,
    launch: !values["no-launch"],
    tls: await tlsFromFlags(values),
    // The banner is what a newcomer needs; the place's and gateway's info lines only bury it (ALLO_LOG_LEVEL=info shows them).
    logLevel: (process.env.ALLO_LOG_LEVEL as LogLevel | undefined) ?? "warn",
  });
  await stopped;
  console.log("Stopping…");
  await started.close();
  return 0;
}
