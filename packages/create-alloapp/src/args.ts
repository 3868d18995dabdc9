// The command line of create-alloapp: `create-alloapp [name] [--template hello|blank] [flags]`.
import { parseArgs } from "node:util";

export const TEMPLATES = ["hello", "blank"] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface CreateOptions {
  /** Folder to create; its last segment is the package name unless --name says otherwise. */
  directory?: string;
  name?: string;
  displayName?: string;
  template?: TemplateName;
  install: boolean;
  /** npm install --offline / --prefer-offline. */
  offline: boolean;
  preferOffline: boolean;
  /** A checkout of the Allo repository, or a folder of `npm pack` tarballs, to take the @allo packages from. */
  alloPackages?: string;
  /** Never ask; use defaults for what was not given. */
  yes: boolean;
  help: boolean;
}

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `Usage: npx create-alloapp [folder] [options]

Creates a ready Allo app: package.json, src/app.tsx, a test against a real place, tsconfig, README, Dockerfile.

Options:
  -t, --template <name>      hello (a label and a button) or blank (an empty surface). Default: hello
  -n, --name <name>          package name. Default: the folder's name
  -d, --display-name <text>  the name people see in a place. Default: from the package name
      --no-install           write the files only; run npm install yourself
      --offline              install from the npm cache only (npm install --offline)
      --prefer-offline       use the npm cache when it can (npm install --prefer-offline)
      --allo-packages <dir>  take @allo/* from an Allo checkout or a folder of npm pack tarballs
  -y, --yes                  do not ask; use the defaults
  -h, --help                 show this help`;

export function parseCreateArgs(argv: string[]): CreateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        template: { type: "string", short: "t" },
        name: { type: "string", short: "n" },
        "display-name": { type: "string", short: "d" },
        "no-install": { type: "boolean", default: false },
        offline: { type: "boolean", default: false },
        "prefer-offline": { type: "boolean", default: false },
        "allo-packages": { type: "string" },
        yes: { type: "boolean", short: "y", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`one folder at a time, got ${positionals.join(", ")}`);
  const template = values.template;
  if (template !== undefined && !isTemplate(template))
    throw new UsageError(`unknown template "${template}"; choose ${TEMPLATES.join(" or ")}`);
  return {
    directory: positionals[0],
    name: values.name,
    displayName: values["display-name"],
    template,
    install: !values["no-install"],
    offline: values.offline,
    preferOffline: values["prefer-offline"],
    alloPackages: values["allo-packages"],
    yes: values.yes,
    help: values.help,
  };
}

export function isTemplate(x: string): x is TemplateName {
  return (TEMPLATES as readonly string[]).includes(x);
}

/** npm's rules for a package name, in short: lowercase, url-safe, ≤ 214 characters. */
export function checkPackageName(name: string): string | undefined {
  if (!name) return "the name is empty";
  if (name.length > 214) return "the name is longer than 214 characters";
  if (!/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/.test(name)) {
    return `"${name}" is not a valid npm package name: use lowercase letters, digits, "-", "." or "_" (e.g. my-app)`;
  }
  return undefined;
}

/** "my-cool_app" → "My Cool App". */
export function displayNameOf(name: string): string {
  return name
    .replace(/^@[^/]+\//, "")
    .split(/[-_.\s]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(" ");
}
