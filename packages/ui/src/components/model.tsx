// Model: a glTF/GLB model by asset id or asset() ref (geometry {type: "asset"}), optionally tinted.
import { splitProps, type JSX } from "solid-js";
import { View, type ViewProps } from "./view.tsx";
import { rgba, type ColorLike } from "../layout/color.ts";
import type { AssetRef } from "../asset.ts";

export type ModelProps = ViewProps & {
  /** The model: an asset id (asset:sha256:<hex>, docs/protocol.md §9) or asset("./chair.glb"), published while shown. */
  asset: string | AssetRef;
  color?: ColorLike;
};

export function Model(props: ModelProps): JSX.Element {
  const [local, rest] = splitProps(props, ["asset", "color"]);
  return (
    <View
      {...rest}
      geometry={{ type: "asset", name: local.asset }}
      material={local.color ? { color: rgba(local.color) } : undefined}
    />
  );
}
