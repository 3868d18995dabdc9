// The JSX typings catch wrong component shapes at compile time: type-check test/types/jsx-checks.tsx with the
// repository's tsconfig; every `@ts-expect-error` line there must meet its error, and nothing else may fail.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");

describe("JSX typings", () => {
  it("accept valid entities and reject wrong component shapes", () => {
    const configPath = join(repo, "tsconfig.json");
    const config = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    )!;
    const file = join(here, "types", "jsx-checks.tsx");
    const program = ts.createProgram([file], config.options);
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file);
    const text = diagnostics.map(
      (d) =>
        `${d.file ? d.file.getLineAndCharacterOfPosition(d.start!).line + 1 : "?"}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
    expect(text).toEqual([]);
    // The file really holds the checks (a directive without an error would have been reported above).
    expect(program.getSourceFile(file)!.text.match(/^\/\/ @ts-expect-error/gm)!.length).toBe(12);
  }, 60_000);
});
