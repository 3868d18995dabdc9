// Box: a solid cuboid of its size (alloui's Cube).
import { splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { boxGeometry } from "../layout/geometry.ts";
import { rgba, palette, type ColorLike } from "../layout/color.ts";
import type { AssetRef } from "../asset.ts";

export type BoxProps = ViewProps & {
  color?: ColorLike;
  /** An image for the faces: an asset id (asset:sha256:…) or an asset() ref. */
  texture?: string | AssetRef;
};

const DEFAULT_SIZE: Vec3 = [0.1, 0.1, 0.1];

export function Box(props: BoxProps): JSX.Element {
  const [local, rest] = splitProps(props, ["color", "texture", "size"]);
  const size = () => local.size ?? DEFAULT_SIZE;
  return (
    <View
      {...rest}
      size={size()}
      geometry={boxGeometry(size())}
      material={{
        color: rgba(local.color ?? palette.darkPink),
        roughness: 1,
        metalness: 0,
        ...(local.texture ? { texture: local.texture } : {}),
      }}
    />
  );
}
