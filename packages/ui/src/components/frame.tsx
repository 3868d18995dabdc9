// Frame: a rectangular border of four bars around `size` (alloui's FrameView).
import { splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { Box } from "./box.tsx";
import { palette, type ColorLike } from "../layout/color.ts";

export type FrameProps = ViewProps & { thickness?: number; color?: ColorLike };

export function Frame(props: FrameProps): JSX.Element {
  const [local, rest] = splitProps(props, ["thickness", "color", "size", "children"]);
  const size = (): Vec3 => local.size ?? [1, 1, 0.02];
  const t = () => local.thickness ?? 0.02;
  const color = () => local.color ?? palette.lightGray;
  return (
    <View {...rest} size={size()}>
      <Box position={[0, size()[1] / 2 - t() / 2, 0]} size={[size()[0], t(), size()[2]]} color={color()} />
      <Box position={[0, -size()[1] / 2 + t() / 2, 0]} size={[size()[0], t(), size()[2]]} color={color()} />
      <Box position={[-size()[0] / 2 + t() / 2, 0, 0]} size={[t(), size()[1] - 2 * t(), size()[2]]} color={color()} />
      <Box position={[size()[0] / 2 - t() / 2, 0, 0]} size={[t(), size()[1] - 2 * t(), size()[2]]} color={color()} />
      {local.children}
    </View>
  );
}
