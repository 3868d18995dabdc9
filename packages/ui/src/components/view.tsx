// View: a plain entity with a place in 3D. Every other component builds on it.
import { splitProps, type JSX } from "solid-js";
import type { GrabbableComponent, Json, Vec3 } from "@allo/protocol";
import type { BaseEntityProps, CustomComponentProps, EntityProps } from "../jsx-types.ts";
import { matrixOf, type PoseLike } from "../layout/pose.ts";
import { boxCollider } from "../layout/geometry.ts";

export interface PlacementProps {
  /** Where it sits in its parent (a Pose or a 16-number matrix). */
  pose?: PoseLike;
  /** Shorthand for a pose that only moves: [x, y, z] in metres. */
  position?: Vec3;
  /** Width, height, depth in metres (shipped as transform.size; used for colliders and layout). */
  size?: Vec3;
}

/** View's props without the custom-component index signature (Omit<> keeps these keys). */
export type ViewOwnProps = Omit<BaseEntityProps, "grabbable"> &
  PlacementProps & {
    /** Let users move it by grabbing (true, or grabbable options such as { actuate_on: "$parent" }). */
    grabbable?: boolean | GrabbableComponent;
    /** Give it a box collider of its size so it can be pointed at and poked. */
    pointable?: boolean;
  };

export type ViewProps = ViewOwnProps & CustomComponentProps;

const PLACEMENT = [
  "pose",
  "position",
  "size",
  "grabbable",
  "pointable",
  "children",
  "ref",
  "transform",
  "collider",
] as const;

/** The transform component for placement props (an explicit `transform` wins). */
export function transformOf(props: PlacementProps & { transform?: unknown }): Json {
  if (props.transform) return props.transform as Json;
  const matrix = matrixOf(props.pose, props.position);
  return (props.size ? { matrix, size: props.size } : { matrix }) as Json;
}

export function View(props: ViewProps): JSX.Element {
  const [local, rest] = splitProps(props, PLACEMENT);
  const interactive = () => local.pointable || !!local.grabbable;
  return (
    <entity
      {...(rest as EntityProps)}
      ref={local.ref as (node: unknown) => void}
      transform={transformOf(local) as never}
      collider={local.collider ?? (interactive() && local.size ? boxCollider(local.size) : undefined)}
      grabbable={local.grabbable === true ? { grabbable: true } : local.grabbable || undefined}
    >
      {local.children}
    </entity>
  );
}
