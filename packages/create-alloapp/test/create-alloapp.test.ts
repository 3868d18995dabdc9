import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import {
  ask,
  checkPackageName,
  copyTarballs,
  displayNameOf,
  main,
  npmInstallArgs,
  parseCreateArgs,
  workspaceCheckout,
  type Io,
} from "../src/index.ts";

const scratch = mkdtempSync(join(tmpdir(), "create-alloapp-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function capture(): Writable & { text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { text: () => string };
  stream.text = () => text;
  return stream;
}

function io(cwd: string, answers?: string): Io & { out: ReturnType<typeof capture>; err: ReturnType<typeof capture> } {
  const stdin = new PassThrough();
  if (answers !== undefined) stdin.end(answers);
  const out = capture();
  const err = capture();
  return { stdin, stdout: out, stderr: err, cwd, interactive: answers !== undefined, out, err };
}

describe("command line", () => {
  it("reads the folder, the template and the flags", () => {
    expect(
      parseCreateArgs(["my-app", "--template", "blank", "--no-install", "--offline", "-d", "My App"]),
    ).toMatchObject({
      directory: "my-app",
      template: "blank",
      install: false,
      offline: true,
      displayName: "My App",
      yes: false,
    });
    expect(parseCreateArgs([])).toMatchObject({ directory: undefined, template: undefined, install: true });
  });

  it("refuses unknown templates, unknown flags and two folders with a usage error", () => {
    expect(() => parseCreateArgs(["x", "--template", "fancy"])).toThrow(
      /unknown template "fancy"; choose hello or blank/,
    );
    expect(() => parseCreateArgs(["x", "--colour"])).toThrow(/Unknown option '--colour'/);
    expect(() => parseCreateArgs(["a", "b"])).toThrow(/one folder at a time/);
  });

  it("checks package names and makes display names", () => {
    expect(checkPackageName("my-app")).toBeUndefined();
    expect(checkPackageName("@me/my-app")).toBeUndefined();
    expect(checkPackageName("My App")).toMatch(/not a valid npm package name/);
    expect(checkPackageName("")).toMatch(/empty/);
    expect(displayNameOf("my-cool_app")).toBe("My Cool App");
    expect(displayNameOf("@me/clock")).toBe("Clock");
  });

  it("passes --offline or --prefer-offline to npm install", () => {
    expect(npmInstallArgs({ offline: true, preferOffline: false })).toContain("--offline");
    expect(npmInstallArgs({ offline: false, preferOffline: true })).toContain("--prefer-offline");
    expect(npmInstallArgs({ offline: false, preferOffline: false })).toEqual(["install", "--no-audit", "--no-fund"]);
  });
});

describe("questions", () => {
  it("asks for the folder, the template and the display name, taking defaults for empty answers", async () => {
    const out = capture();
    const answers = await ask(
      {},
      { input: new PassThrough().end("\nfancy\nblank\n\n") as unknown as PassThrough, output: out },
    );
    expect(answers).toEqual({ directory: "my-alloapp", template: "blank", displayName: "My Alloapp" });
    expect(out.text()).toContain('there is no template "fancy"');
  });

  it("asks only what the flags did not say", async () => {
    const out = capture();
    const answers = await ask(
      { directory: "clock", template: "hello" },
      { input: new PassThrough().end("Big Clock\n") as unknown as PassThrough, output: out },
    );
    expect(answers).toEqual({ directory: "clock", template: "hello", displayName: "Big Clock" });
    expect(out.text()).toBe("Display name (Clock): ");
  });
});

describe("writing a project", () => {
  it("writes a ready project from the hello template, without installing", async () => {
    const t = io(scratch);
    expect(await main(["hello-app", "--yes", "--no-install", "--allo-packages", fakeTarballs()], t)).toBe(0);
    const dir = join(scratch, "hello-app");
    for (const file of [
      "src/app.tsx",
      "test/app.test.tsx",
      "tsconfig.json",
      "vitest.config.ts",
      "README.md",
      "Dockerfile",
      ".gitignore",
      ".dockerignore",
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(["dev", "start", "serve", "test"]));
    expect(pkg.name).toBe("hello-app");
    expect(pkg.allo).toEqual({ displayName: "Hello App", main: "src/app.tsx" });
    expect(pkg.dependencies["@allo/ui"]).toBe("file:vendor/allo/allo-ui-0.1.0.tgz");
    // Tests run against a real place through @allo/testing; the app itself never names the place.
    expect(pkg.devDependencies["@allo/testing"]).toBe("file:vendor/allo/allo-testing-0.1.0.tgz");
    expect(pkg.dependencies["@allo/place"] ?? pkg.devDependencies["@allo/place"]).toBeUndefined();
    expect(pkg.overrides["@allo/client"]).toBe("file:vendor/allo/allo-client-0.1.0.tgz");
    expect(existsSync(join(dir, "vendor/allo/allo-ui-0.1.0.tgz"))).toBe(true);
    expect(readFileSync(join(dir, "src/app.tsx"), "utf8")).toContain('"Hello from Hello App!"');
    expect(readFileSync(join(dir, "README.md"), "utf8")).toMatch(/^# Hello App\n/);
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toContain('CMD ["./node_modules/.bin/allo", "serve"');
    expect(t.out.text()).toMatch(/cd hello-app\n {2}npm install\n {2}npm run dev/);
  });

  it("asks when a person is at the terminal", async () => {
    const t = io(scratch, "asked-app\nblank\nAsked\n");
    expect(await main(["--no-install", "--allo-packages", fakeTarballs()], t)).toBe(0);
    expect(readFileSync(join(scratch, "asked-app/src/app.tsx"), "utf8")).toContain("an empty surface");
    expect(JSON.parse(readFileSync(join(scratch, "asked-app/package.json"), "utf8")).allo.displayName).toBe("Asked");
  });

  it("refuses a folder that is not empty, and says what to do without a folder and without a terminal", async () => {
    mkdirSync(join(scratch, "taken"));
    writeFileSync(join(scratch, "taken/notes.txt"), "mine");
    const taken = io(scratch);
    expect(await main(["taken", "--yes", "--no-install"], taken)).toBe(1);
    expect(taken.err.text()).toMatch(/taken is not empty; choose a new folder name/);
    const silent = io(scratch);
    expect(await main(["--no-install"], silent)).toBe(1);
    expect(silent.err.text()).toMatch(/say which folder to create, e.g. npx create-alloapp my-app/);
    const bad = io(scratch);
    expect(await main(["Bad Name", "--no-install"], bad)).toBe(1);
    expect(bad.err.text()).toMatch(/not a valid npm package name/);
  });

  it("knows it runs from an Allo checkout", () => {
    expect(workspaceCheckout()).toBe(join(import.meta.dirname, "..", "..", ".."));
  });

  it("takes @allo tarballs from a folder and refuses a folder without any", () => {
    const empty = mkdtempSync(join(scratch, "empty-"));
    expect(() => copyTarballs(empty, join(scratch, "dest"))).toThrow(/holds no @allo tarballs/);
  });
});

/** A folder of files named like `npm pack` output (their contents do not matter until npm install). */
function fakeTarballs(): string {
  const dir = join(scratch, "tarballs");
  mkdirSync(dir, { recursive: true });
  for (const name of ["ui", "cli", "testing", "place", "client", "protocol", "gateway"])
    writeFileSync(join(dir, `allo-${name}-0.1.0.tgz`), "");
  return dir;
}
