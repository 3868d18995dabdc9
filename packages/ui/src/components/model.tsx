// Model: a glTF/GLB model by asset id (geometry {type: "asset"}), optionally tinted.
import { splitProps, type JSX } from "solid-js";
import { View, type ViewProps } from "./view.tsx";
import { rgba, type ColorLike } from "../layout/color.ts";

export type ModelProps = ViewProps & {
  /** The model's asset id, asset:sha256:<hex> (PROTOCOL.md §9). */
  asset: string;
  color?: ColorLike;
};

export function Model(props: ModelProps): JSX.Element {
  const [local, rest] = splitProps(props, ["asset", "color"]);
  return <View {...rest} geometry={{ type: "asset", name: local.asset }} material={local.color ? { color: rgba(local.color) } : undefined} />;
}
