// Module hooks (run off-thread by node:module register). See register.mjs for why.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transformAsync } from "@babel/core";
import { solidBabelOptions, compilesAsAlloJsx } from "./babel-options.mjs";

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
    const source = await readFile(filename, "utf8");
    const result = await transformAsync(source, solidBabelOptions(filename));
    return { format: "module", source: result.code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
