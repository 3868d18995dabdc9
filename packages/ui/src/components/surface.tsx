// Surface: a flat rectangle in the XY plane facing +Z, coloured or textured.
import { splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { quadGeometry } from "../layout/geometry.ts";
import { rgba, type ColorLike } from "../layout/color.ts";
import type { AssetRef } from "../asset.ts";

export type SurfaceProps = ViewProps & {
  color?: ColorLike;
  /** An image: an asset id, or asset("./logo.png") / asset(bytes), published while the surface shows it. */
  texture?: string | AssetRef;
  /** Crop the texture: the part of it shown horizontally and vertically (0..1). */
  uvScale?: [number, number];
  transparent?: boolean;
};

export function Surface(props: SurfaceProps): JSX.Element {
  const [local, rest] = splitProps(props, ["color", "texture", "uvScale", "size", "transparent"]);
  const size = (): Vec3 => local.size ?? [1, 1, 0.01];
  const material = () => {
    if (!local.color && !local.texture) return undefined;
    return {
      ...(local.color ? { color: rgba(local.color) } : { color: [1, 1, 1, 1] as [number, number, number, number] }),
      ...(local.texture ? { texture: local.texture } : {}),
      ...(local.transparent ? { hasTransparency: true } : {}),
    };
  };
  return <View {...rest} size={size()} geometry={quadGeometry(size(), local.uvScale)} material={material()} />;
}
