// Compiles a saved file before Vite sends the update: a file that does not compile (syntax error, missing import) is
// reported and the update is dropped, so the running app never sees a half-applied update. Without this, the runner
// fails the fetch, solid-refresh invalidates the importers, and the next saves race a program reload.
import { relative } from "node:path";
import type { Plugin } from "vite";
import type { DevReporter } from "./reporter.ts";

const SCRIPT = /\.[cm]?[jt]sx?$/;

export function syntaxGuard(reporter: DevReporter): Plugin {
  return {
    name: "allo-dev-syntax-guard",
    async hotUpdate({ file, read, timestamp }) {
      if (this.environment.name !== "ssr") return;
      reporter.changed(timestamp);
      if (!SCRIPT.test(file) || file.includes("/node_modules/")) return;
      try {
        // read() waits out editors that truncate before writing; transform runs the same plugins the runner gets.
        await this.environment.pluginContainer.transform(await read(), file);
      } catch (error) {
        reporter.failed(`could not reload /${relative(this.environment.config.root, file)}`, error);
        return [];
      }
      return undefined; // it compiles: Vite sends the update as usual
    },
  };
}
