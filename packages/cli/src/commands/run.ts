// `allo run <app.tsx> [place-url]`: runs one app in this process, connected to a place — the same start as the
// gateway's (the entry's exported App, rendered with runApp from @allo/ui). The bin already registered tsx and the
// Solid hook, so the .tsx compiles here.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export const RUN_USAGE = `Usage: allo run <app.tsx> [place-url] [--token TOKEN] [--no-reconnect]

Runs an app and connects it to a place. The place URL (alloplace://host:port, ws:// or wss://) comes from the
argument or ALLO_PLACE_URL. The entry either starts itself (runApp) or exports its root component as App.
--token (or ALLO_TOKEN): a token from the place's operator (allo token), for a place that requires one.
When the place goes away (a restart), the app reconnects and re-spawns its entities, for up to 5 minutes
(ALLO_RECONNECT_GIVE_UP_MS); --no-reconnect makes it exit instead.
Quit with Ctrl-C, or from the place (the quit request).`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" }, token: { type: "string" }, "no-reconnect": { type: "boolean" } },
  });
  if (values["no-reconnect"]) process.env.ALLO_RECONNECT = "0"; // read by runApp, also when the entry calls it itself
  if (values.help) {
    process.stdout.write(RUN_USAGE + "\n");
    return 0;
  }
  const [entry, urlArg] = positionals;
  if (!entry) {
    process.stderr.write(
      `allo run: which app? Give its entry file, e.g. "allo run src/app.tsx alloplace://localhost".\n`,
    );
    return 2;
  }
  const file = resolve(entry);
  if (!existsSync(file)) {
    process.stderr.write(`allo run: ${entry} does not exist (looked for ${file}).\n`);
    return 2;
  }
  const url = urlArg ?? process.env.ALLO_PLACE_URL;
  if (!url) {
    process.stderr.write(
      `allo run: no place URL. Pass one after the entry (alloplace://host:port) or set ALLO_PLACE_URL.\n`,
    );
    return 2;
  }
  // runApp announces with ALLO_TOKEN as identity.token (docs/protocol.md §10).
  if (values.token !== undefined) process.env.ALLO_TOKEN = values.token;
  const { appStarted, runApp } = await import("@allo/ui");
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  if (!appStarted()) {
    const App = module.App ?? module.default;
    if (typeof App !== "function") {
      process.stderr.write(
        `allo run: ${entry} exports no App component. Add \`export function App() { … }\` (or a default export).\n`,
      );
      return 2;
    }
    await runApp(App as () => never, { url, entry: file });
  }
  // The app exits the process itself: on the quit request, Ctrl-C, or when the place goes away.
  await new Promise<never>(() => {});
  return 0;
}
