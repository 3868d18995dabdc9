// `allo place`: a place on one port; its URLs on stdout (alloplace:// first, then ws://), logs on stderr.
import { stopSignal } from "../stop-signal.ts";
import { parseArgs } from "node:util";
import { readAclConfigFile, startPlace, type AclConfig } from "@allo/place";
import { DEFAULT_PORT, parsePlaceUrl, type LogLevel } from "@allo/protocol";
import { visorHttpHandler } from "@allo/visor";

const ACL_EXAMPLE = `e.g. {"rules": [{"effect": "deny", "pattern": "[\\"launch_app\\", ...]"}]}`;
const ACL_HELP = `Give --acl the path of a JSON file {"rules": [{"effect": "allow"|"deny", "pattern": "…", "id"?: "…"}…], "replaceDefaults"?: true|false}
(or {"acl": {…}}), ${ACL_EXAMPLE}. Patterns are described in docs/protocol.md, "Patterns: subscriptions and the ACL".`;

export const PLACE_USAGE = `Usage: allo place [--port ${DEFAULT_PORT}] [--host 127.0.0.1] [--name NAME] [--public-url URL] [--acl FILE] [--tick-rate 20] [--log-level info]

Starts an Allo place. Prints its URL (alloplace://…, then ws://…) and runs until Ctrl-C.
  --port       TCP port for HTTP and WebSocket (0 picks a free one)     default ${DEFAULT_PORT}
  --host       address to listen on (0.0.0.0 for every interface)      default 127.0.0.1
  --name       the place's name, shown to agents                        default "Allo place"
  --public-url the URL apps launched from here are told to connect to    default alloplace://<host>:<port>
  --acl        a JSON file of ACL rules checked before the default ones  default: the default rules only
               ${ACL_EXAMPLE}
  --tick-rate  world updates per second                                 default 20
  --log-level  debug | info | warn | error | silent                     default info (or ALLO_LOG_LEVEL)`;

const LEVELS = ["debug", "info", "warn", "error", "silent"];

export async function placeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      name: { type: "string" },
      "public-url": { type: "string" },
      acl: { type: "string" },
      "tick-rate": { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(PLACE_USAGE);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be a port number (0–65535), got "${values.port}"`);
  const tickRate = values["tick-rate"] === undefined ? 20 : Number(values["tick-rate"]);
  if (!(tickRate > 0 && tickRate <= 1000)) return fail(`--tick-rate must be a number of ticks per second (0–1000], got "${values["tick-rate"]}"`);
  const logLevel = values["log-level"] ?? process.env.ALLO_LOG_LEVEL ?? "info";
  if (!LEVELS.includes(logLevel)) return fail(`--log-level must be one of ${LEVELS.join(", ")}, got "${logLevel}"`);
  const host = values.host ?? "127.0.0.1";
  const publicUrl = values["public-url"];
  if (publicUrl !== undefined) {
    try {
      parsePlaceUrl(publicUrl);
    } catch (e) {
      return fail(`--public-url: ${(e as Error).message}`);
    }
  }
  let acl: AclConfig | undefined;
  if (values.acl !== undefined) {
    try {
      acl = readAclConfigFile(values.acl);
    } catch (e) {
      return fail(`--acl: ${(e as Error).message}.\n${ACL_HELP}`);
    }
  }

  let place;
  try {
    place = await startPlace({ port, host, name: values.name, publicUrl, tickRate, logLevel: logLevel as LogLevel, acl, httpHandler: visorHttpHandler() });
  } catch (error) {
    const e = error as Error & { code?: string };
    // configureAcl's last checks (rule ids must be unique, at most 256 rules) run as the place starts.
    if (acl && e.message?.startsWith("ACL configuration")) return fail(`--acl: ${values.acl}: ${e.message}.\n${ACL_HELP}`);
    if (e.code === "EADDRINUSE") return fail(`port ${port} on ${host} is already in use. Stop the other place or choose another port with --port.`);
    if (e.code === "EADDRNOTAVAIL") return fail(`cannot listen on ${host}: no such address on this machine. Try --host 127.0.0.1 or 0.0.0.0.`);
    throw error;
  }
  const stopped = stopSignal();
  console.log(place.publicUrl);
  console.log(place.url);
  const signal = await stopped;
  process.stderr.write(`allo place: ${signal}, closing…\n`);
  // 1012 (service restart): agents that reconnect come back when the place does (docs/protocol.md §1).
  await place.close({ code: 1012, reason: `place restarting (${signal})` });
  return 0;
}

function fail(message: string): number {
  console.error(`allo place: ${message}`);
  return 2;
}
