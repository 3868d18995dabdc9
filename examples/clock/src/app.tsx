// The Alloverse clock, in Allo: analog hands and a digital readout updated every second, hour markers around the
// dial, a settings popup (near the hand that asked) to shift the time zone, and a quit button.
import { createSignal, onCleanup, Show, type Accessor } from "solid-js";
import {
  Button,
  Label,
  Portal,
  Pose,
  Surface,
  palette,
  useApp,
  useLaunchArgs,
  worldMatrix,
  isMain,
  runApp,
  type PoseLike,
} from "@allo/ui";
import { ClockFace } from "./clock-face.tsx";
import { Settings } from "./settings.tsx";

/** Wall-clock milliseconds, ticking on each second boundary. */
function useTicker(): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  let timer: ReturnType<typeof setTimeout>;
  const tick = () => {
    setNow(Date.now());
    timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  };
  timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  onCleanup(() => clearTimeout(timer));
  return now;
}

const two = (n: number) => String(n).padStart(2, "0");

export interface ClockProps {
  /** The time source (ms since the epoch); default: the wall clock, ticking every second. */
  now?: Accessor<number>;
  /** Hours from UTC; default: launch arg `utcOffset`, else this machine's zone. */
  utcOffset?: number;
}

export function App(props: ClockProps = {}) {
  const app = useApp();
  const launchOffset = useLaunchArgs().utcOffset;
  const [offset, setOffset] = createSignal(
    props.utcOffset ?? (typeof launchOffset === "number" ? launchOffset : -new Date().getTimezoneOffset() / 60),
  );
  const [popup, setPopup] = createSignal<PoseLike | null>(null);
  const now = props.now ?? useTicker();
  const shifted = () => new Date(now() + offset() * 3_600_000);
  const h = () => shifted().getUTCHours();
  const m = () => shifted().getUTCMinutes();
  const s = () => shifted().getUTCSeconds();

  // alloui's openPopupNearHand: 0.6 m in front of the hand, else beside the clock.
  const nearHand = (handId: string): PoseLike => {
    const world = app.client()?.world.entities;
    const hand = world?.get(handId);
    if (!world || !hand?.components.transform) return Pose.at(0.9, 1.5, -2);
    const [x, y, z] = Pose.from(worldMatrix(world, handId)).concat(Pose.at(0, 0, -0.6)).position;
    return Pose.at(x, y, z);
  };

  return (
    <Surface pose={Pose.at(0, 1.5, -2)} size={[1, 1.2, 0.01]} color={palette.dark} grabbable>
      <ClockFace hours={h()} minutes={m()} seconds={s()} position={[0, 0.1, 0.01]} />
      <Label text={`${two(h())}:${two(m())}:${two(s())}`} position={[0, -0.42, 0.02]} size={[0.6, 0.12, 0.01]} />
      <Button label="Quit" position={[-0.38, 0.52, 0.03]} size={[0.2, 0.1, 0.04]} onActivated={() => void app.quit()} />
      <Button
        label="Settings"
        position={[0.34, 0.52, 0.03]}
        size={[0.28, 0.1, 0.04]}
        onActivated={(e) => setPopup(nearHand(e.senderId))}
      />
      <Show when={popup()}>
        {(pose) => (
          <Portal>
            <Settings pose={pose()} offset={offset()} onChange={setOffset} onClose={() => setPopup(null)} />
          </Portal>
        )}
      </Show>
    </Surface>
  );
}

if (isMain(import.meta.url)) void runApp(App);
