// `allo dev [src/app.tsx] [--place url] [--port n]`: a place on localhost with the app in it, hot-reloaded on save.
import { stopSignal } from "../stop-signal.ts";
import { parseArgs } from "node:util";

export const DEV_USAGE = `Usage: allo dev [entry] [options]

Runs your app in a place on this machine and updates it live as you save: an edited component is swapped in place,
on the same connection. Errors are shown here; the last good version keeps running.

  entry              the module that default-exports the app's root component (default: src/app.tsx)
  --place <url>      use this place instead of starting one (alloplace://, ws://, wss://)
  --port <n>         port of the embedded place (default 21337, or a free one if that is taken)
  --host <address>   address the embedded place listens on (default 127.0.0.1)
  --no-visor         do not serve (or build) the web visor from the embedded place`;

export async function devCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      place: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "no-visor": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(DEV_USAGE + "\n");
    return 0;
  }
  if (positionals.length > 1) throw new Error(`allo dev runs one app; got ${positionals.join(" ")}`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536))
    throw new Error(`--port must be a port number, got ${values.port}`);

  const { startDevSession } = await import("../dev/session.ts"); // loads the place only when it is needed
  const session = await startDevSession({
    entry: positionals[0],
    placeUrl: values.place,
    port,
    host: values.host,
    visor: !values["no-visor"],
  });
  let stopping = false;
  void stopSignal().then(() => {
    stopping = true;
    void session.close();
  });
  const publicUrl = session.place?.publicUrl ?? session.placeUrl;
  process.stdout.write(
    [
      `allo dev: ${session.entry}`,
      `  place  ${publicUrl}${session.place ? "  (embedded; ws: " + session.placeUrl + ")" : ""}`,
      session.visorUrl
        ? `  visor  ${session.visorUrl}  ${session.visorBuilding ? `(building the web visor: ${session.visorBuilding})` : "← open this in a browser"}`
        : undefined,
      `  Ctrl-C to stop`,
      "",
    ]
      .filter((l) => l !== undefined)
      .join("\n"),
  );
  if (session.visorBuilding) {
    session.visorReady.then(
      (build) =>
        build &&
        process.stdout.write(`✓ web visor built in ${(build.ms / 1000).toFixed(1)} s: open ${session.visorUrl}\n`),
      (error: unknown) =>
        process.stderr.write(
          `allo dev: could not build the web visor (${(error as Error).message}); the place page is served instead\n`,
        ),
    );
  }
  const code = await session.exited;
  await session.close();
  if (!stopping) process.stderr.write(`allo dev: the app process ended (exit ${code}); the session is over\n`);
  return stopping ? 0 : code;
}
