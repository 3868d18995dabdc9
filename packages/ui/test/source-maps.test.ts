// The vite/vitest plugin returns Babel's source map, so stack traces of compiled .tsx point at the source lines.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SourceMapConsumer, type RawSourceMap } from "source-map-js";
import { alloSolid } from "../src/vite.ts";
import { explode, THROW_LINE } from "./fixtures/throws.tsx";

const fixture = fileURLToPath(new URL("./fixtures/throws.tsx", import.meta.url));

describe("source maps (@allo/ui/vite)", () => {
  it("an error thrown in a .tsx file reports the line it was thrown from", () => {
    let stack = "";
    try {
      explode("on purpose");
    } catch (error) {
      stack = (error as Error).stack ?? "";
    }
    const frame = stack.split("\n").find((line) => line.includes("throws.tsx"));
    expect(frame).toMatch(new RegExp(`throws\\.tsx:${THROW_LINE}:\\d+`));
  });

  it("maps the compiled code back to the source, line by line", async () => {
    const plugin = alloSolid();
    const transform = plugin.transform as (
      code: string,
      id: string,
    ) => Promise<{ code: string; map: RawSourceMap } | null>;
    const source = readFileSync(fixture, "utf8");
    const result = (await transform.call({}, source, fixture))!;
    expect(result.map).toBeTruthy();
    const compiled = result.code.split("\n");
    const throwAt = compiled.findIndex((line) => line.includes("throw new Error"));
    expect(throwAt).not.toBe(THROW_LINE - 1); // the compiled code really moved it
    const consumer = new SourceMapConsumer(result.map);
    const original = consumer.originalPositionFor({ line: throwAt + 1, column: compiled[throwAt].indexOf("throw") });
    expect(original.line).toBe(THROW_LINE);
    expect(original.source).toMatch(/throws\.tsx$/);
  });
});
