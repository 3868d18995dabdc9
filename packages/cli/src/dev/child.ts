// Entry of the `allo dev` app process (see runner.ts). Reads its job from the environment set by commands/dev.ts.
import { startDevRunner } from "./runner.ts";
import { DevReporter } from "./reporter.ts";

const entry = process.env.ALLO_DEV_ENTRY;
const root = process.env.ALLO_DEV_ROOT;
const placeUrl = process.env.ALLO_PLACE_URL;
if (!entry || !root || !placeUrl) {
  process.stderr.write("allo dev: this process is started by `allo dev`; run that instead\n");
  process.exit(2);
}

const reporter = new DevReporter(process.stdout);
// A component that throws while re-rendering after a save must not end the session: report it, keep the last
// good version (Solid leaves the previous entities in place when a render throws).
let runner: Awaited<ReturnType<typeof startDevRunner>> | undefined;
const runtimeError = (error: unknown) =>
  runner ? runner.runtimeError(error) : reporter.failed("runtime error", error);
process.on("uncaughtException", runtimeError);
process.on("unhandledRejection", runtimeError);

runner = await startDevRunner(
  { entry, root, placeUrl, displayName: process.env.ALLO_DEV_NAME ?? "Allo app" },
  reporter,
);
const stop = () => {
  runner!.close().then(
    () => process.exit(0),
    (error: unknown) => {
      reporter.failed("could not stop cleanly", error);
      process.exit(1);
    },
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
