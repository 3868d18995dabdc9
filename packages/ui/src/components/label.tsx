// Label: text in a box of its size; the font size follows the height (or lineHeight).
import { splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewOwnProps } from "./view.tsx";
import type { CustomComponentProps } from "../jsx-types.ts";
import { rgba, palette, type ColorLike } from "../layout/color.ts";

export type LabelProps = Omit<ViewOwnProps, "text"> &
  CustomComponentProps & {
    text: string;
    color?: ColorLike;
    halign?: "left" | "center" | "right";
    valign?: "top" | "middle" | "bottom";
    wrap?: boolean;
    fitToWidth?: boolean;
    /** Height of one line in metres (default: the label's height). */
    lineHeight?: number;
    /** Show a text cursor (a focused TextField). */
    insertionMarker?: boolean;
  };

export function Label(props: LabelProps): JSX.Element {
  const [local, rest] = splitProps(props, [
    "text",
    "color",
    "halign",
    "valign",
    "wrap",
    "fitToWidth",
    "lineHeight",
    "size",
    "insertionMarker",
  ]);
  const size = (): Vec3 => local.size ?? [1, 0.1, 0.01];
  return (
    <View
      {...rest}
      size={size()}
      text={{
        string: local.text,
        width: size()[0],
        height: local.lineHeight ?? size()[1],
        halign: local.halign ?? "center",
        valign: local.valign ?? "middle",
        wrap: local.wrap ?? false,
        fitToWidth: local.fitToWidth ?? false,
        ...(local.insertionMarker ? { insertionMarker: true } : {}),
      }}
      material={{ color: rgba(local.color ?? palette.white) }}
    />
  );
}
