// Shared by the hosting tests: a real place (launch_app configured) and a real gateway serving real app folders.
import { join } from "node:path";
import { createLogger, type LogLevel } from "@allo/protocol";
import { startGateway, loadAppFolder, type AppFolder, type Gateway, type GatewayOptions } from "@allo/gateway";
import { connectRawAgent, startTestPlace, type RawAgent } from "@allo/place/testing";
import type { Place } from "@allo/place";
import { configureLaunchApp, type LaunchAppConfig } from "../../packages/place/src/interactions/launch-app.ts";

export const fixtures = join(import.meta.dirname, "fixtures");
export const quiet: LogLevel = (process.env.ALLO_LOG_LEVEL as LogLevel | undefined) ?? "silent";

export function fixtureApp(name: string, path = `/${name}`): AppFolder {
  return loadAppFolder(join(fixtures, name), path);
}

/** The gateways here listen on loopback, which a place reaches only when its operator allows it (as here). */
export function placeForLaunches(config: Partial<LaunchAppConfig> = {}): Promise<Place> {
  return startTestPlace({
    setup: (ctx) => configureLaunchApp(ctx, { allowPrivateAddresses: ["127.0.0.1"], ...config }),
  });
}

export function gatewayFor(apps: AppFolder[], options: Partial<GatewayOptions> = {}): Promise<Gateway> {
  return startGateway({ apps, port: 0, host: "127.0.0.1", logger: createLogger("gateway", quiet), ...options });
}

/** An announced agent (a visor stand-in) that asks for launches. */
export async function visitor(place: Place, name = "Visitor"): Promise<RawAgent> {
  const agent = await connectRawAgent(place.url, { timeoutMs: 40_000 });
  await agent.announce({ display_name: name }, {});
  return agent;
}

export async function poll(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
