// create-alloapp: ask (or read flags), write the project, install, print the next steps.
import { mkdirSync } from "node:fs";
import { basename, relative, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { USAGE, UsageError, checkPackageName, displayNameOf, parseCreateArgs } from "./args.ts";
import { alloDependencySpecs, workspaceCheckout } from "./allo-packages.ts";
import { installDependencies } from "./install.ts";
import { ask } from "./prompts.ts";
import { checkTarget, writeTemplate } from "./scaffold.ts";

export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  cwd: string;
  /** Whether a person can answer questions. */
  interactive: boolean;
}

const defaultIo = (): Io => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
});

/** Runs create-alloapp; returns the exit code. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  try {
    await create(argv, io);
    return 0;
  } catch (e) {
    io.stderr.write(`\ncreate-alloapp: ${(e as Error).message}\n`);
    if (e instanceof UsageError) io.stderr.write(`\n${USAGE}\n`);
    return 1;
  }
}

async function create(argv: string[], io: Io): Promise<void> {
  const options = parseCreateArgs(argv);
  if (options.help) {
    io.stdout.write(USAGE + "\n");
    return;
  }
  const mayAsk = io.interactive && !options.yes;
  if (!options.directory && !mayAsk && !options.yes)
    throw new UsageError("say which folder to create, e.g. npx create-alloapp my-app");
  const answers = mayAsk
    ? await ask(options, { input: io.stdin, output: io.stdout })
    : {
        directory: options.directory ?? "my-alloapp",
        template: options.template ?? "hello",
        displayName: options.displayName ?? displayNameOf(basename(options.directory ?? "my-alloapp")),
      };
  const dir = resolve(io.cwd, answers.directory);
  const name = options.name ?? basename(dir);
  const badName = checkPackageName(name);
  if (badName) throw new UsageError(badName);
  const badTarget = checkTarget(dir);
  if (badTarget) throw new Error(badTarget);

  const source = options.alloPackages ? resolve(io.cwd, options.alloPackages) : workspaceCheckout();
  io.stdout.write(`Creating ${answers.displayName} (${name}) in ${dir} from the ${answers.template} template\n`);
  mkdirSync(dir, { recursive: true });
  if (source) io.stdout.write(`Taking the Allo packages from ${source} (they are not on the npm registry yet)\n`);
  const allo = await alloDependencySpecs(source, dir);
  const files = writeTemplate({ dir, name, displayName: answers.displayName, template: answers.template, allo });
  for (const file of files) io.stdout.write(`  + ${file}\n`);

  if (options.install)
    await installDependencies({
      dir,
      offline: options.offline,
      preferOffline: options.preferOffline,
      output: io.stdout,
    });
  io.stdout.write(nextSteps(relative(io.cwd, dir) || ".", options.install));
}

function nextSteps(folder: string, installed: boolean): string {
  return `
Done. Next:

  cd ${folder}${installed ? "" : "\n  npm install"}
  npm run dev        a place on localhost with your app in it; saving a file updates it live
  npm test           the app against a real place
  npm run serve      the app gateway on port 8000, so any place can launch it (see README.md)

Edit src/app.tsx to change what the app shows.
`;
}
