// Vite/vitest plugin: Solid universal JSX for .tsx/.jsx, and solid-js pinned to its reactive build so that
// tests and `allo dev` run the same Solid as `node --import @allo/ui/register` (one instance per process).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { transformAsync } from "@babel/core";
import type { Plugin } from "vite";
import { solidBabelOptions, compilesAsAlloJsx } from "./babel-options.mjs";

const require = createRequire(import.meta.url);

export interface AlloSolidOptions {
  /** Use Solid's dev build (needed by solid-refresh). Default: false (the production reactive build). */
  dev?: boolean;
  /** Add solid-refresh so component edits hot-swap in place. */
  refresh?: boolean;
}

/** Absolute paths of the reactive builds of solid-js and solid-js/store. */
export function solidReactiveBuild(dev = false): { solid: string; store: string } {
  const root = dirname(require.resolve("solid-js/package.json"));
  return {
    solid: join(root, "dist", dev ? "dev.js" : "solid.js"),
    store: join(root, "store", "dist", dev ? "dev.js" : "store.js"),
  };
}

export function alloSolid(options: AlloSolidOptions = {}): Plugin {
  const build = solidReactiveBuild(options.dev);
  return {
    name: "allo-solid",
    enforce: "pre",
    config() {
      return {
        resolve: {
          alias: [
            { find: /^solid-js$/, replacement: build.solid },
            { find: /^solid-js\/store$/, replacement: build.store },
          ],
        },
        // @allo/* inlined too: installed from a registry, @allo/ui's components are .tsx that Node cannot load.
        test: { server: { deps: { inline: [/solid-js/, /\/node_modules\/@allo\//] } } },
      } as Record<string, unknown>;
    },
    async transform(code, id) {
      const file = id.split("?")[0];
      if (!compilesAsAlloJsx(file)) return null;
      // The map goes back to Vite (not inline in the code), so stack traces and breakpoints land on source lines.
      const result = await transformAsync(code, {
        ...solidBabelOptions(file, { refresh: options.refresh }),
        sourceMaps: true,
      });
      return result?.code ? { code: result.code, map: result.map } : null;
    },
  };
}
