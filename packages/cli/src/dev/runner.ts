// The `allo dev` app process: Vite's module runner with solid-refresh, so saving a component swaps it in place over
// the same connection (docs/renderer.md, "Compiling"). Started by commands/dev.ts under `--import tsx --import
// @allo/ui/register` with SOLID_DEV=1, so solid-js stays external and one dev build serves the whole process.
import { relative } from "node:path";
import { createServer, createServerModuleRunner, type Plugin, type ViteDevServer } from "vite";
import type { ModuleRunner } from "vite/module-runner";
import { createComponent, type Component } from "solid-js";
import { connect } from "@allo/client";
import { identityMatrix } from "@allo/protocol";
import { reconnectFromEnv, render, type AppHandle, type UiClient } from "@allo/ui";
import { alloSolid } from "@allo/ui/vite";
import { DevReporter } from "./reporter.ts";
import { syntaxGuard } from "./syntax-guard.ts";

export interface DevRunnerOptions {
  /** Absolute path of the app's entry (src/app.tsx); it exports the app's root component (default, or `App`). */
  entry: string;
  /** The app's project folder (Vite's root). */
  root: string;
  placeUrl: string;
  displayName: string;
}

export interface DevRunner {
  readonly app: AppHandle | undefined;
  readonly client: UiClient;
  server: ViteDevServer;
  /** A component threw while re-rendering: report it; the next good save re-mounts the app on the same connection. */
  runtimeError(error: unknown): void;
  close(): Promise<void>;
}

/**
 * alloSolid aliases solid-js to the absolute path of a build, and Vite inlines whatever an alias resolves: a second
 * Solid ("You appear to have multiple instances of Solid") that program reloads would multiply. Dropping that alias
 * lets `ssr.external` keep solid-js external, so Node loads it — with the browser+development conditions (see
 * externalConditions), the very file @allo/ui gets through the register hook (docs/renderer.md, "Compiling").
 */
function keepSolidExternal(): Plugin {
  return {
    name: "allo-dev-solid-external",
    enforce: "pre",
    config(config) {
      const alias = config.resolve?.alias;
      if (Array.isArray(alias)) config.resolve!.alias = alias.filter((a) => !String(a.find).includes("solid-js"));
    },
  };
}

export async function startDevRunner(
  options: DevRunnerOptions,
  reporter = new DevReporter(process.stdout),
): Promise<DevRunner> {
  const entryId = "/" + relative(options.root, options.entry).split("\\").join("/");
  // One connection for the whole session: reloads and re-mounts keep the avatar and its id.
  const client = (await connect(options.placeUrl, {
    identity: { display_name: options.displayName },
    avatar: { transform: { matrix: identityMatrix() } },
    // A place that restarts gets the app back (render() re-spawns the tree); ALLO_RECONNECT=0 turns it off.
    reconnect: reconnectFromEnv(),
  })) as unknown as UiClient;
  const server = await createServer({
    root: options.root,
    configFile: false,
    envFile: false,
    appType: "custom",
    logLevel: "silent",
    clearScreen: false,
    server: { middlewareMode: true, hmr: true, ws: false },
    plugins: [alloSolid({ dev: true, refresh: true }), keepSolidExternal(), syntaxGuard(reporter)],
    ssr: {
      // One instance of each for the app and this runner: Node loads them, Vite never inlines them.
      external: ["@allo/ui", "@allo/client", "@allo/protocol", "solid-js", "solid-refresh"],
      // For externals imported by the app's own files: solid-js → its reactive dev build, as the register hook does.
      resolve: { externalConditions: ["browser", "development"] },
    },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  let App: Component | undefined;
  let app: AppHandle | undefined;
  let broken = false;

  const mount = async () => {
    await app?.dispose();
    app = undefined;
    if (App) app = await render(() => createComponent(App!, {}), { client, exitOnQuit: true });
  };
  const runner: ModuleRunner = createServerModuleRunner(server.environments.ssr, {
    hmr: {
      logger: reporter.hmrLogger(() => {
        if (!broken) return;
        broken = false;
        mount().catch((error: unknown) => handle.runtimeError(error));
      }),
    },
  });

  const start = async (): Promise<boolean> => {
    try {
      const module = (await runner.import(entryId)) as { default?: unknown; App?: unknown };
      const root = typeof module.default === "function" ? module.default : module.App;
      if (typeof root !== "function")
        throw new Error(
          `${entryId} must export the app's root component: export default function App() { … } (or export function App)`,
        );
      App = root as Component;
      await mount();
      reporter.started(entryId, client.avatarId);
      return true;
    } catch (error) {
      reporter.failed(`could not start ${entryId}`, error, "fix it and save; allo dev tries again");
      return false;
    }
  };
  if (!(await start())) {
    const retry = async (file: string) => {
      if (!file.startsWith(options.root)) return;
      server.watcher.off("change", retry);
      runner.evaluatedModules.clear();
      if (!(await start())) server.watcher.on("change", retry);
    };
    server.watcher.on("change", retry);
  }

  const handle: DevRunner = {
    get app() {
      return app;
    },
    client,
    server,
    runtimeError(error) {
      broken = true;
      reporter.failed("runtime error", error);
    },
    async close() {
      await app?.dispose();
      await runner.close();
      await server.close();
      await client.close();
    },
  };
  return handle;
}
