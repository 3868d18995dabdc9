// ESLint: typescript-eslint's recommended rules over the sources, tests, benches and examples (`npm run lint`).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "test/artifacts/**", "**/.tmp/**", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Unused names are errors, except the ones a signature needs (prefixed with _) and rest siblings.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // A `let` read by a closure before its one assignment (a handler set up before the value exists) stays a let.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests and benches take raw frames and private internals apart on purpose.
    files: ["**/test/**", "test/**", "bench/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-unsafe-function-type": "off" },
  },
  {
    // JSX `ref={node}` assigns through the compiled JSX, which ESLint does not see.
    files: ["**/*.tsx"],
    rules: { "no-unassigned-vars": "off" },
  },
  {
    // JSX typings: `{}` is how TypeScript's JSX namespace spells "no required props".
    files: ["**/*.d.ts"],
    rules: { "@typescript-eslint/no-empty-object-type": "off" },
  },
);
