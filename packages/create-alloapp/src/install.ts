// Runs npm install in the new project, showing npm's own output and how long it took.
import { spawn } from "node:child_process";
import type { Writable } from "node:stream";

export interface InstallOptions {
  dir: string;
  offline: boolean;
  preferOffline: boolean;
  output: Writable;
}

export function npmInstallArgs(options: Pick<InstallOptions, "offline" | "preferOffline">): string[] {
  const args = ["install", "--no-audit", "--no-fund"];
  if (options.offline) args.push("--offline");
  else if (options.preferOffline) args.push("--prefer-offline");
  return args;
}

/** Resolves when npm finished; rejects with npm's exit status. Progress: npm's output plus a line every 10 s. */
export function installDependencies(options: InstallOptions): Promise<void> {
  const args = npmInstallArgs(options);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  options.output.write(`\nInstalling dependencies: npm ${args.join(" ")}\n`);
  const started = Date.now();
  const child = spawn(npm, args, {
    cwd: options.dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_loglevel: "warn" },
  });
  child.stdout.pipe(options.output, { end: false });
  child.stderr.pipe(options.output, { end: false });
  // npm draws no progress when its output is not a terminal; say that it is still working.
  const ticker = setInterval(() => options.output.write(`  … still installing (${seconds(started)} s)\n`), 10_000);
  return new Promise((resolve, reject) => {
    child.once("error", (e) => {
      clearInterval(ticker);
      reject(new Error(`could not run npm: ${e.message}`));
    });
    child.once("close", (code) => {
      clearInterval(ticker);
      if (code === 0) {
        options.output.write(`Installed in ${seconds(started)} s\n`);
        resolve();
      } else
        reject(
          new Error(`npm install failed (exit ${code}); fix the problem above, then run npm install in ${options.dir}`),
        );
    });
  });
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}
