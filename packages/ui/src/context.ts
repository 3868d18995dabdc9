// What hooks and components can reach from inside an app: its sync, its client once connected, launch info.
import { createContext, useContext, type Accessor } from "solid-js";
import type { JsonObject } from "@allo/protocol";
import type { EntitySync } from "./flush.ts";
import type { UiClient } from "./client.ts";
import type { RootNode } from "./node.ts";
import type { AppAssets } from "./asset-publishing.ts";

export interface AppContextValue {
  sync: EntitySync;
  root: RootNode;
  /** The client, once connected (null before). */
  client: Accessor<UiClient | null>;
  /** Resolves with the client once the app has announced. */
  connected: Promise<UiClient>;
  /** ALLO_APP_BOOT_ARGS (docs/protocol.md §8.5). */
  launchArgs: JsonObject;
  /** ALLO_APP_BOOTED_BY_IDENTITY. */
  launchedBy: JsonObject | null;
  /** The asset() refs its entities use, published through its client while used. */
  assets: AppAssets;
  /** The place's URL ("" when the app was given a client without one): stored signals are scoped by it. */
  placeUrl: string;
  /** Called when the app is asked to quit, before it is disposed. */
  quitHandlers: Set<() => void | Promise<void>>;
  /** Quits the app as the `quit` request does: onQuit handlers, dispose, and exit unless exitOnQuit is false. */
  quit(): Promise<void>;
}

export const AppContext = createContext<AppContextValue>();

/** The running app. Throws a readable error outside render(). */
export function useApp(): AppContextValue {
  const app = useContext(AppContext);
  if (!app) throw new Error("This hook or component must be used inside an app started with render() or runApp().");
  return app;
}
