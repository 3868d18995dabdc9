// useServerTime(): the place's clock (seconds), as a signal updated every `intervalMs` (docs/protocol.md §7).
import { createSignal, onCleanup, type Accessor } from "solid-js";
import { useApp } from "../context.ts";

export function useServerTime(intervalMs = 1000): Accessor<number> {
  const app = useApp();
  const read = () => app.client()?.serverTime() ?? Date.now() / 1000;
  const [time, setTime] = createSignal(read());
  const timer = setInterval(() => setTime(read()), intervalMs);
  void app.connected.then(() => setTime(read()));
  onCleanup(() => clearInterval(timer));
  return time;
}
