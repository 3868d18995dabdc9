// onQuit(fn): runs when the app is asked to quit (the `quit` request), before it is disposed.
import { onCleanup } from "solid-js";
import { useApp } from "../context.ts";

export function onQuit(handler: () => void | Promise<void>): void {
  const app = useApp();
  app.quitHandlers.add(handler);
  onCleanup(() => app.quitHandlers.delete(handler));
}
