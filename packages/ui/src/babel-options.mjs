// The one place that says how Allo compiles JSX: babel-preset-solid in universal mode, importing from @allo/ui.
// Shared by the Node hook (register.mjs), the vite/vitest plugin (vite.ts) and babel.config.js.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const JSX_MODULE = "@allo/ui";

/** Babel options that turn one .tsx/.jsx file into ESM importing the renderer from @allo/ui. */
export function solidBabelOptions(filename, { refresh = false } = {}) {
  const plugins = [];
  if (refresh) {
    plugins.push([
      require.resolve("solid-refresh/babel"),
      { bundler: "vite", imports: [{ type: "render", name: "render", kind: "named", source: JSX_MODULE }] },
    ]);
  }
  return {
    filename,
    babelrc: false,
    configFile: false,
    sourceMaps: "inline",
    presets: [
      [require.resolve("babel-preset-solid"), { generate: "universal", moduleName: JSX_MODULE }],
      [require.resolve("@babel/preset-typescript"), { isTSX: true, allExtensions: true, onlyRemoveTypeImports: true }],
    ],
    plugins,
  };
}

export const JSX_FILE = /\.[jt]sx$/;

/**
 * Whether a file is compiled as Allo JSX: .tsx/.jsx outside node_modules, and Allo's own packages inside it
 * (installed from a registry or tarball, @allo/ui ships its components as .tsx sources).
 */
export function compilesAsAlloJsx(path) {
  const file = path.split("?")[0].replaceAll("\\", "/");
  if (!JSX_FILE.test(file)) return false;
  return (
    !file.includes("/node_modules/") ||
    /\/node_modules\/@allo\/[^/]+\//.test(file.slice(file.lastIndexOf("/node_modules/")))
  );
}
