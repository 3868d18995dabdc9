// Launch information from the gateway (docs/protocol.md §8.5), read through @allo/ui, never from env by hand.
import type { JsonObject } from "@allo/protocol";
import { useApp } from "../context.ts";

/** The launch_app args (without the avatar token). Empty when the app was started by hand. */
export function useLaunchArgs(): JsonObject {
  const { avatarToken: _token, ...args } = useApp().launchArgs;
  return args;
}

/** The identity of the agent that launched this app, or null. */
export function useLaunchedBy(): JsonObject | null {
  return useApp().launchedBy;
}
