// Writes a new app project: the chosen template, the shared files, and a package.json made for it.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TemplateName } from "./args.ts";

export const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "templates");

/** Third-party versions the templates are written against (the same ranges the Allo workspace uses). */
export const THIRD_PARTY = {
  "solid-js": "~1.9.9",
  tsx: "^4.20.0",
  vitest: "^4.1.12",
  typescript: "~5.9.3",
  "@types/node": "^20.19.0",
} as const;

export interface ProjectSpec {
  dir: string;
  name: string;
  displayName: string;
  template: TemplateName;
  /** @allo/* name → dependency spec (see allo-packages.ts). */
  allo: Map<string, string>;
}

/** Files whose names npm pack would drop or rename are stored without their dot. */
const RENAMES: Record<string, string> = { gitignore: ".gitignore", dockerignore: ".dockerignore" };

export function checkTarget(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory()) return `${dir} exists and is not a folder`;
  if (readdirSync(dir).length > 0) return `${dir} is not empty; choose a new folder name`;
  return undefined;
}

/** Writes the template and shared files with {{name}} and {{displayName}} filled in; returns the paths written. */
export function writeTemplate(spec: ProjectSpec): string[] {
  const written: string[] = [];
  for (const source of [join(TEMPLATES_DIR, "shared"), join(TEMPLATES_DIR, spec.template)]) {
    for (const file of walk(source)) {
      const rel = relative(source, file);
      const base = rel.split("/").pop()!;
      const target = join(spec.dir, dirname(rel), RENAMES[base] ?? base);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, fill(readFileSync(file, "utf8"), spec));
      written.push(relative(spec.dir, target));
    }
  }
  writeFileSync(join(spec.dir, "package.json"), JSON.stringify(appPackageJson(spec), null, 2) + "\n");
  written.push("package.json");
  return written.sort();
}

export function appPackageJson(spec: ProjectSpec): Record<string, unknown> {
  const allo = (name: string): string => {
    const found = spec.allo.get(name);
    if (!found) throw new Error(`${name} is not among the Allo packages given (${[...spec.allo.keys()].join(", ")})`);
    return found;
  };
  const local = [...spec.allo.values()].some((v) => v.startsWith("file:"));
  return {
    name: spec.name,
    version: "0.1.0",
    private: true,
    type: "module",
    description: `${spec.displayName}: an Allo app.`,
    allo: { displayName: spec.displayName, main: "src/app.tsx" },
    scripts: {
      dev: "allo dev src/app.tsx",
      start: "node --import tsx --import @allo/ui/register src/app.tsx",
      serve: "allo serve",
      test: "vitest run --configLoader runner",
      typecheck: "tsc --noEmit",
    },
    engines: { node: ">=20.11" },
    dependencies: {
      "@allo/cli": allo("@allo/cli"),
      "@allo/ui": allo("@allo/ui"),
      "solid-js": THIRD_PARTY["solid-js"],
      tsx: THIRD_PARTY.tsx,
    },
    devDependencies: {
      "@allo/testing": allo("@allo/testing"),
      "@types/node": THIRD_PARTY["@types/node"],
      typescript: THIRD_PARTY.typescript,
      vitest: THIRD_PARTY.vitest,
    },
    // Local tarballs depend on each other by version, which the registry does not have (yet): point them here too.
    ...(local ? { overrides: Object.fromEntries(spec.allo) } : {}),
  };
}

function fill(text: string, spec: ProjectSpec): string {
  return text.replaceAll("{{name}}", spec.name).replaceAll("{{displayName}}", spec.displayName);
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)],
  );
}
