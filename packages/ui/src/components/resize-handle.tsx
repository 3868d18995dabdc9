// ResizeHandle: a corner knob users drag; it moves itself (constrained) and reports where it ended up, so the
// app can resize (alloui's apps polled its transform; here onResized gets the final position).
import { splitProps, type JSX } from "solid-js";
import type { Mat4, TransformComponent, Vec3 } from "@allo/protocol";
import { Box, type BoxProps } from "./box.tsx";
import { palette } from "../layout/color.ts";

export type ResizeHandleProps = BoxProps & {
  translationConstraint?: Vec3;
  rotationConstraint?: Vec3;
  /** Called when a grab ends, with the handle's matrix in its parent as the place has it. */
  onResized?: (matrix: Mat4) => void;
};

export function ResizeHandle(props: ResizeHandleProps): JSX.Element {
  const [local, rest] = splitProps(props, [
    "translationConstraint",
    "rotationConstraint",
    "onResized",
    "size",
    "color",
    "onGrab",
  ]);
  return (
    <Box
      {...rest}
      size={local.size ?? [0.06, 0.06, 0.06]}
      color={local.color ?? palette.lightBlue}
      cursor={{ name: "resizeCursor" }}
      grabbable={{
        grabbable: true,
        translation_constraint: local.translationConstraint ?? [1, 1, 0],
        rotation_constraint: local.rotationConstraint ?? [0, 0, 0],
      }}
      onGrab={(e) => {
        local.onGrab?.(e);
        if (e.grabbing || !local.onResized) return;
        const entity = e.currentTarget.sync?.client?.world.entities.get(e.currentTarget.id ?? "");
        const matrix = (entity?.components.transform as TransformComponent | undefined)?.matrix;
        if (matrix) local.onResized(matrix);
      }}
    />
  );
}
