// Calls lifecycle hooks one by one: a failing hook is logged and never stops the place or the other hooks.
import type { Logger } from "@allo/protocol";

export function callHooks<A extends unknown[]>(
  log: Logger,
  what: string,
  hooks: readonly ((...args: A) => void)[],
  ...args: A
): void {
  for (const hook of hooks) {
    try {
      hook(...args);
    } catch (e) {
      log.error(`${what} hook failed`, { error: e });
    }
  }
}
