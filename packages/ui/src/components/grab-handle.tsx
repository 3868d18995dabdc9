// GrabHandle: a bar that moves its parent when grabbed (grabbable.actuate_on "$parent"), turning only about Y.
import { splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { Box } from "./box.tsx";
import type { BoxProps } from "./box.tsx";
import { palette } from "../layout/color.ts";

export type GrabHandleProps = BoxProps & {
  /** Axes the parent may turn about while grabbed (default [0, 1, 0]). */
  rotationConstraint?: Vec3;
  translationConstraint?: Vec3;
};

export function GrabHandle(props: GrabHandleProps): JSX.Element {
  const [local, rest] = splitProps(props, ["rotationConstraint", "translationConstraint", "size", "color"]);
  return (
    <Box
      {...rest}
      size={local.size ?? [0.4, 0.04, 0.04]}
      color={local.color ?? palette.lightGray}
      grabbable={{
        grabbable: true,
        actuate_on: "$parent",
        rotation_constraint: local.rotationConstraint ?? [0, 1, 0],
        ...(local.translationConstraint ? { translation_constraint: local.translationConstraint } : {}),
      }}
    />
  );
}
