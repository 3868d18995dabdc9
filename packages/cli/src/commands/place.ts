// `allo place`: a place on one port; its URLs on stdout (alloplace:// first, then ws://), logs on stderr.
import { stopSignal } from "../stop-signal.ts";
import { parseArgs } from "node:util";
import { readAclConfigFile, startPlace, type AclConfig, type AuthConfig } from "@allo/place";
import { DEFAULT_PORT, parsePlaceUrl, type LogLevel } from "@allo/protocol";
import { visorHttpHandler } from "@allo/visor";
import { readSecret } from "../secret.ts";
import { HTTPS_HELP, httpsUrls, tlsFromFlags, type Tls } from "../https.ts";

const ACL_EXAMPLE = `e.g. {"rules": [{"effect": "deny", "pattern": "[\\"launch_app\\", ...]"}]}`;
const ACL_HELP = `Give --acl the path of a JSON file {"rules": [{"effect": "allow"|"deny", "pattern": "…", "id"?: "…"}…], "replaceDefaults"?: true|false}
(or {"acl": {…}}), ${ACL_EXAMPLE}. Patterns are described in docs/protocol.md §4.`;

export const PLACE_USAGE = `Usage: allo place [--port ${DEFAULT_PORT}] [--host 127.0.0.1] [--name NAME] [--public-url URL] [--auth open|token] [--secret-file FILE]
                  [--acl FILE] [--allow-launch-to ADDR…] [--tick-rate 20] [--log-level info] [--https | --cert FILE --key FILE]

Starts an Allo place. Prints its URL (alloplace://…, then ws://…) and runs until Ctrl-C.
  --port       TCP port for HTTP and WebSocket (0 picks a free one)     default ${DEFAULT_PORT}
  --host       address to listen on (0.0.0.0 for every interface)      default 127.0.0.1
  --name       the place's name, shown to agents                        default "Allo place"
  --public-url the URL apps launched from here are told to connect to    default alloplace://<host>:<port>
  --auth       open: anyone may join (local development); token: only agents with a token from \`allo token\`
                                                                        default open on 127.0.0.1, else required
  --secret-file the operator's token secret (made, mode 600, if missing; or ALLO_PLACE_SECRET)
  --acl        a JSON file of ACL rules checked before the default ones  default: the default rules only
               ${ACL_EXAMPLE}
  --allow-launch-to ADDR  a loopback/private address launch_app may reach (repeatable): 127.0.0.1:8000,
               [::1]:8000, 10.0.0.0/8                                   default: none (public addresses only)
  --tick-rate  world updates per second                                 default 20
  --log-level  debug | info | warn | error | silent                     default info (or ALLO_LOG_LEVEL)
${HTTPS_HELP}`;

const LEVELS = ["debug", "info", "warn", "error", "silent"];

export async function placeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      name: { type: "string" },
      "public-url": { type: "string" },
      auth: { type: "string" },
      "secret-file": { type: "string" },
      acl: { type: "string" },
      "allow-launch-to": { type: "string", multiple: true },
      "tick-rate": { type: "string" },
      "log-level": { type: "string" },
      https: { type: "boolean" },
      cert: { type: "string" },
      key: { type: "string" },
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
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return fail(`--port must be a port number (0–65535), got "${values.port}"`);
  const tickRate = values["tick-rate"] === undefined ? 20 : Number(values["tick-rate"]);
  if (!(tickRate > 0 && tickRate <= 1000))
    return fail(`--tick-rate must be a number of ticks per second (0–1000], got "${values["tick-rate"]}"`);
  const logLevel = values["log-level"] ?? process.env.ALLO_LOG_LEVEL ?? "info";
  if (!LEVELS.includes(logLevel)) return fail(`--log-level must be one of ${LEVELS.join(", ")}, got "${logLevel}"`);
  let tls: Tls | undefined;
  try {
    tls = await tlsFromFlags(values);
  } catch (e) {
    return fail((e as Error).message);
  }
  // A headset on the LAN is what HTTPS is for: listen where it can reach us unless told otherwise.
  const host = values.host ?? (tls ? "0.0.0.0" : "127.0.0.1");
  const publicUrl = values["public-url"];
  if (publicUrl !== undefined) {
    try {
      parsePlaceUrl(publicUrl);
    } catch (e) {
      return fail(`--public-url: ${(e as Error).message}`);
    }
  }
  const loopback = host === "localhost" || host === "::1" || host.startsWith("127.");
  const mode = values.auth ?? (loopback ? "open" : undefined);
  if (mode === undefined) {
    return fail(
      `listening on ${host} lets other machines in: choose who may join. --auth token --secret-file FILE admits agents with a token from "allo token" (docs/hosting.md, "Running a public place"); --auth open admits anyone.`,
    );
  }
  if (mode !== "open" && mode !== "token") return fail(`--auth must be "open" or "token", got "${mode}"`);
  let auth: AuthConfig;
  try {
    const found = readSecret(values["secret-file"], mode === "token");
    if (mode === "token" && !found)
      return fail(
        `--auth token needs the secret tokens are signed with: --secret-file FILE (made if missing) or ALLO_PLACE_SECRET`,
      );
    if (found?.created)
      process.stderr.write(
        `allo place: made a new token secret in ${values["secret-file"]}; make tokens with "allo token --secret-file ${values["secret-file"]} --sub NAME"\n`,
      );
    auth = { mode, secret: found?.secret };
  } catch (e) {
    return fail(`--secret-file: ${(e as Error).message}`);
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
    const launchApp = { allowPrivateAddresses: values["allow-launch-to"] ?? [] };
    place = await startPlace({
      port,
      host,
      name: values.name,
      publicUrl,
      tickRate,
      logLevel: logLevel as LogLevel,
      acl,
      auth,
      launchApp,
      httpHandler: visorHttpHandler(),
      tls,
    });
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.message?.startsWith("allowed launch destination")) return fail(`--allow-launch-to: ${e.message}`);
    // configureAcl's last checks (rule ids must be unique, at most 256 rules) run as the place starts.
    if (acl && e.message?.startsWith("ACL configuration"))
      return fail(`--acl: ${values.acl}: ${e.message}.\n${ACL_HELP}`);
    if (e.code === "EADDRINUSE")
      return fail(
        `port ${port} on ${host} is already in use. Stop the other place or choose another port with --port.`,
      );
    if (e.code === "EADDRNOTAVAIL")
      return fail(`cannot listen on ${host}: no such address on this machine. Try --host 127.0.0.1 or 0.0.0.0.`);
    throw error;
  }
  const stopped = stopSignal();
  console.log(place.publicUrl);
  console.log(place.url);
  if (tls) {
    const note = tls.generated ? " (self-signed: the browser asks once to trust it)" : "";
    for (const url of httpsUrls(host, place.port)) process.stderr.write(`allo place: visit in VR at ${url}${note}\n`);
  }
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
