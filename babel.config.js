// For tools that read a Babel config (editors, jest-like runners). Allo's own loaders use the same options
// from packages/ui/src/babel-options.mjs.
export default {
  presets: [
    ["babel-preset-solid", { generate: "universal", moduleName: "@allo/ui" }],
    ["@babel/preset-typescript", { isTSX: true, allExtensions: true, onlyRemoveTypeImports: true }],
  ],
};
