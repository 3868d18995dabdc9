// Where the new app gets @allo/* from: the npm registry, or — until Allo is published — an Allo checkout packed
// with `npm pack`, or a folder of such tarballs. Local tarballs are copied into the app (vendor/allo/) so the
// project stays relocatable and its Dockerfile can build it.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const VENDOR_DIR = "vendor/allo";

/** The version create-alloapp and the @allo packages are released under together. */
export function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** The Allo checkout create-alloapp runs from, if it runs from one (not from an installed package). */
export function workspaceCheckout(): string | undefined {
  const root = resolve(packageRoot(), "..", "..");
  const pkgFile = join(root, "package.json");
  if (!existsSync(pkgFile) || !existsSync(join(root, "packages", "ui", "package.json"))) return undefined;
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { name?: string; workspaces?: unknown };
  return pkg.name === "allo" && pkg.workspaces ? root : undefined;
}

/** @allo/* name → tarball file name, for a checkout's packages. */
export async function packCheckout(checkout: string, destination: string): Promise<Map<string, string>> {
  const names = readdirSync(join(checkout, "packages"))
    .map((d) => join(checkout, "packages", d, "package.json"))
    .filter((f) => existsSync(f))
    .map((f) => (JSON.parse(readFileSync(f, "utf8")) as { name: string }).name)
    .filter((n) => n.startsWith("@allo/"));
  mkdirSync(destination, { recursive: true });
  const workspaces = names.flatMap((n) => ["--workspace", n]);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const { stdout } = await run(
    npm,
    ["pack", ...workspaces, "--pack-destination", destination, "--json", "--loglevel", "error"],
    {
      cwd: checkout,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const packed = JSON.parse(stdout) as { name: string; filename: string }[];
  return new Map(packed.map((p) => [p.name, p.filename]));
}

/** @allo/* name → tarball file name, for a folder of `npm pack` tarballs (allo-ui-0.1.0.tgz). */
export function copyTarballs(folder: string, destination: string): Map<string, string> {
  const tarballs = readdirSync(folder).filter((f) => /^allo-.+-\d+\.\d+\.\d+.*\.tgz$/.test(f));
  if (tarballs.length === 0)
    throw new Error(`${folder} holds no @allo tarballs (allo-<name>-<version>.tgz from npm pack)`);
  mkdirSync(destination, { recursive: true });
  const found = new Map<string, string>();
  for (const file of tarballs) {
    copyFileSync(join(folder, file), join(destination, file));
    const name = /^allo-(.+)-\d+\.\d+\.\d+.*\.tgz$/.exec(file)![1];
    found.set(`@allo/${name}`, file);
  }
  return found;
}

/**
 * The dependency specs for @allo/* in the new app: `^version` from the registry, or `file:vendor/allo/…tgz` when
 * source is a checkout or a tarball folder.
 */
export async function alloDependencySpecs(source: string | undefined, appDir: string): Promise<Map<string, string>> {
  if (!source)
    return new Map(
      ["@allo/ui", "@allo/cli", "@allo/testing", "@allo/client", "@allo/protocol"].map((n) => [n, `^${ownVersion()}`]),
    );
  const destination = join(appDir, VENDOR_DIR);
  const files = existsSync(join(source, "packages"))
    ? await packCheckout(source, destination)
    : copyTarballs(source, destination);
  return new Map([...files].map(([name, file]) => [name, `file:${VENDOR_DIR}/${file}`]));
}

function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..");
}
