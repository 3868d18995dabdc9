// createStoredSignal(key, initial): a signal whose value outlives the app's process (docs/components.md, "Stored
// signals"). Kept in the app's store (app-store.ts), scoped by the place the app runs in.
import { createSignal, useContext, type Accessor, type Setter, type Signal } from "solid-js";
import { parsePlaceUrl, type Json } from "@allo/protocol";
import { AppContext } from "./context.ts";
import { appDataDir, appStoreIn } from "./app-store.ts";
import { placeUrlFromProcess } from "./run-app.ts";

export interface StoredSignalOptions {
  /** Which values this one shares: default the place's URL, so each place an app runs in has its own. */
  scope?: string;
  /** Where the store is. Default ALLO_DATA_DIR, else a directory per app (app-store.ts appDataDir). */
  dataDir?: string;
}

/**
 * A signal that starts from its stored value (`initial` the first time) and stores every value it is set to. Values
 * must be JSON (they are stored as JSON text). Writes made in one tick reach the disk together, in one SQLite transaction.
 */
export function createStoredSignal<T>(key: string, initial: T, options: StoredSignalOptions = {}): Signal<T> {
  if (typeof key !== "string" || !key)
    throw new TypeError("createStoredSignal needs a key: a non-empty string naming the value.");
  const scope = options.scope ?? placeScope(useContext(AppContext)?.placeUrl || placeUrlFromProcess() || "");
  const store = appStoreIn(options.dataDir ?? appDataDir());
  const stored = store.read(scope, key);
  const [value, setValue] = createSignal<T>(stored === undefined ? initial : (stored as T));
  const set = ((next: T | ((previous: T) => T)) => {
    const result = setValue(next as Parameters<Setter<T>>[0]);
    store.write(scope, key, value() as Json);
    return result;
  }) as Setter<T>;
  return [value as Accessor<T>, set];
}

/** The place URL in one spelling (alloplace://h:p and ws://h:p/ are one place). */
function placeScope(url: string): string {
  if (!url) return "";
  try {
    return parsePlaceUrl(url).toString();
  } catch {
    return url;
  }
}
