// Module hooks (run off-thread by node:module register). See register.mjs for why.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { solidBabelOptions, compilesAsAlloJsx } from "./babel-options.mjs";
import { cacheKey, readCached, writeCached } from "./compile-cache.mjs";

const SOLID = /^solid-js(\/store|\/universal)?$/;
const SERVER_BUILD = /\/solid-js\/(store\/|web\/|universal\/)?dist\/server\.js$/;
const dev = process.env.NODE_ENV !== "production" && process.env.SOLID_DEV !== "0";

export async function resolve(specifier, context, nextResolve) {
  if (SOLID.test(specifier)) {
    const conditions = ["browser", ...(dev ? ["development"] : []), ...context.conditions];
    return nextResolve(specifier, { ...context, conditions });
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  // Any path that still reaches Solid's server build (an absolute import, a bundler's external) gets the reactive one.
  if (SERVER_BUILD.test(url)) {
    const reactive = url.replace(/dist\/server\.js$/, dev ? "dist/dev.js" : "dist/solid.js");
    return nextLoad(reactive, context);
  }
  if (url.startsWith("file:") && compilesAsAlloJsx(fileURLToPath(url))) {
    const filename = fileURLToPath(url);
    return { format: "module", source: await compile(filename, await readFile(filename, "utf8")), shortCircuit: true };
  }
  return nextLoad(url, context);
}

let babel;

/** Babel output for one file: from the compile cache (compile-cache.mjs), else compiled and stored. */
async function compile(filename, source) {
  const options = solidBabelOptions(filename);
  const key = cacheKey(source, options);
  const cached = await readCached(key);
  if (cached !== undefined) return cached;
  // Loaded only on a miss: importing Babel and the presets is most of the hook's cost at start.
  babel ??= import("@babel/core");
  const result = await (await babel).transformAsync(source, options);
  await writeCached(key, result.code);
  return result.code;
}
