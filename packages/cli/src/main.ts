// `allo <command> [options]`: a table of commands, each loaded only when used (so `allo place` never loads vite).
export interface Command {
  summary: string;
  /** Runs the command with the arguments after its name; resolves the exit code. */
  load(): Promise<(argv: string[]) => Promise<number>>;
}

export const commands: Record<string, Command> = {
  place: {
    summary: "Start a place (HTTP + WebSocket on one port)",
    load: async () => (await import("./commands/place.ts")).placeCommand,
  },
  start: {
    summary: "Start a place with the web visor and the example apps",
    load: async () => (await import("./commands/start.ts")).startCommand,
  },
  serve: {
    summary: "Serve apps over HTTP so places can launch them (the app gateway)",
    load: async () => (await import("./commands/serve.ts")).serveCommand,
  },
  dev: {
    summary: "Run an app in a local place and hot-reload it as you save",
    load: async () => (await import("./commands/dev.ts")).devCommand,
  },
  run: {
    summary: "Run an app and connect it to a place",
    load: async () => (await import("./commands/run.ts")).runCommand,
  },
  token: {
    summary: "Make a token (or an invite link) for a place that requires one",
    load: async () => (await import("./commands/token.ts")).tokenCommand,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: allo <command> [options]

Commands:
${lines.join("\n")}

Run "allo <command> --help" for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    console.error(
      `allo: unknown command "${name}". Known commands: ${Object.keys(commands).join(", ")}. Run "allo --help" for more.`,
    );
    return 2;
  }
  try {
    const run = await command.load();
    return await run(rest);
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`allo ${name}: ${e.message}. Run "allo ${name} --help" for its options.`);
      return 2;
    }
    console.error(`allo ${name}: ${e.message ?? String(e)}`);
    if (process.env.ALLO_LOG_LEVEL === "debug") console.error(e.stack);
    return 1;
  }
}
