// `node --import tsx --import @allo/ui/register <ui>/src/start.ts <app.tsx> <place-url>`: how `allo run` and the
// gateway start any app the same way. Imports the entry; unless it started itself (runApp), renders its exported
// App (or default export) with runApp.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { appStarted, runApp } from "./run-app.ts";

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: start.ts <app.tsx> [alloplace://host:port]\n");
  process.exit(2);
}
const module = (await import(pathToFileURL(resolve(entry)).href)) as Record<string, unknown>;
if (!appStarted()) {
  const App = module.App ?? module.default;
  if (typeof App !== "function") {
    process.stderr.write(
      `${entry} exports no App component: add \`export function App() { … }\` (or a default export).\n`,
    );
    process.exit(2);
  }
  await runApp(App as () => never, { url: rest.find((a) => /^(alloplace|wss?):\/\//.test(a)), entry: resolve(entry) });
}
