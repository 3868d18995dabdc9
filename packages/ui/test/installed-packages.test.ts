// Installed from a registry or tarball, @allo/ui (and any @allo/* package) sits in node_modules with .tsx sources:
// the register hook must compile those, and still leave other packages in node_modules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilesAsAlloJsx } from "../src/babel-options.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, ".installed-fixture");

describe("which files compile as Allo JSX", () => {
  it("app sources and @allo packages, not other node_modules", () => {
    expect(compilesAsAlloJsx("/home/me/app/src/app.tsx")).toBe(true);
    expect(compilesAsAlloJsx("/home/me/app/node_modules/@allo/ui/src/components/button.tsx")).toBe(true);
    expect(compilesAsAlloJsx("/home/me/app/node_modules/react-thing/index.jsx")).toBe(false);
    expect(compilesAsAlloJsx("/home/me/app/node_modules/@allo/ui/node_modules/other/x.tsx")).toBe(false);
    expect(compilesAsAlloJsx("/home/me/app/src/app.ts")).toBe(false);
    expect(compilesAsAlloJsx("C:\\app\\node_modules\\@allo\\ui\\src\\view.tsx")).toBe(true);
  });
});

describe("node --import @allo/ui/register with an @allo package installed in node_modules", () => {
  beforeAll(() => {
    const pkg = join(fixture, "node_modules", "@allo", "fake-widgets");
    mkdirSync(join(pkg, "src"), { recursive: true });
    writeFileSync(
      join(pkg, "package.json"),
      JSON.stringify({ name: "@allo/fake-widgets", type: "module", exports: { ".": "./src/index.tsx" } }),
    );
    writeFileSync(
      join(pkg, "src", "index.tsx"),
      `export function Widget() { return <entity geometry={{ type: "asset", name: "from-node-modules" }} />; }\n`,
    );
    writeFileSync(
      join(fixture, "app.tsx"),
      `import { createRoot } from "solid-js";\nimport { Widget } from "@allo/fake-widgets";\n` +
        `createRoot(() => { const node = (<Widget />) as any; console.log("geometry:" + node.components.geometry.name); });\n`,
    );
  });
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it("compiles the installed package's .tsx with Allo's JSX", () => {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "--import", "@allo/ui/register", join(fixture, "app.tsx")],
      {
        cwd: join(here, "..", "..", ".."),
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(result.stderr).not.toMatch(/SyntaxError/);
    expect(result.stdout.trim()).toBe("geometry:from-node-modules");
  }, 40_000);
});
