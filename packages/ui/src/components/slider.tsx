// Slider: a track and a knob; poking or dragging a pointer along it sets the value (world hit point → local x).
import { createSignal, splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { Box } from "./box.tsx";
import { Label } from "./label.tsx";
import { Pose, worldMatrix } from "../layout/pose.ts";
import { palette, type ColorLike } from "../layout/color.ts";
import type { AlloEvent, PointEvent } from "../events.ts";
import type { EntityNode } from "../node.ts";

export type SliderProps = ViewProps & {
  value?: number;
  min?: number;
  max?: number;
  onValueChanged?: (value: number) => void;
  color?: ColorLike;
  knobColor?: ColorLike;
  /** Format of the value on the knob (default two decimals); null hides it. */
  format?: ((value: number) => string) | null;
};

export function Slider(props: SliderProps): JSX.Element {
  const [local, rest] = splitProps(props, [
    "value",
    "min",
    "max",
    "onValueChanged",
    "color",
    "knobColor",
    "format",
    "size",
  ]);
  const min = () => local.min ?? 0;
  const max = () => local.max ?? 1;
  const [own, setOwn] = createSignal(local.value ?? min());
  const value = () => (local.value !== undefined ? local.value : own());
  const size = (): Vec3 => local.size ?? [0.8, 0.13, 0.1];
  const fraction = () => (max() === min() ? 0 : (value() - min()) / (max() - min()));
  const knobX = () => (fraction() - 0.5) * size()[0];
  const lastPoint = new Map<string, Vec3>();
  const pressing = new Set<string>();

  const setFromPoint = (node: EntityNode, to: Vec3) => {
    const world = node.sync?.client?.world.entities;
    if (!node.id || !world) return;
    const [x] = Pose.from(worldMatrix(world, node.id)).inverse().apply(to);
    const f = Math.min(1, Math.max(0, x / size()[0] + 0.5));
    const next = min() + f * (max() - min());
    if (next === value()) return;
    setOwn(next);
    local.onValueChanged?.(next);
  };

  return (
    <View
      {...rest}
      size={size()}
      pointable
      onPoint={(e: PointEvent) => {
        lastPoint.set(e.senderId, e.to);
        if (pressing.has(e.senderId)) setFromPoint(e.currentTarget, e.to);
      }}
      onPointExit={(e: AlloEvent) => {
        lastPoint.delete(e.senderId);
        pressing.delete(e.senderId);
      }}
      onPoke={(e) => {
        if (!e.pressed) return void pressing.delete(e.senderId);
        pressing.add(e.senderId);
        const at = lastPoint.get(e.senderId);
        if (at) setFromPoint(e.currentTarget, at);
      }}
    >
      <Box size={[size()[0], size()[1] * 0.25, size()[2] * 0.5]} color={local.color ?? palette.darkGray} />
      <Box
        position={[knobX(), 0, 0]}
        size={[size()[1] * 0.6, size()[1], size()[2]]}
        color={local.knobColor ?? palette.darkPink}
      >
        {local.format !== null && (
          <Label
            text={(local.format ?? ((v: number) => v.toFixed(2)))(value())}
            position={[0, size()[1] * 0.8, 0]}
            size={[size()[1] * 1.5, size()[1] * 0.4, 0.001]}
          />
        )}
      </Box>
    </View>
  );
}
