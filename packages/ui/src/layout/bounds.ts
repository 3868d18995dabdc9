// Bounds = a pose and a size (metres, w × h × d), and edges: where a child goes to sit at a parent's edge.
// Fixes alloui's Size:getEdge("bottom") (it used x for y).
import type { Vec3 } from "@allo/protocol";
import { Pose, type PoseLike } from "./pose.ts";

export type Horizontal = "left" | "center" | "right";
export type Vertical = "top" | "middle" | "bottom";
export type Depth = "front" | "center" | "back";

/** The offset from the centre of a box of `size` to one of its edges, corners or faces. */
export function edge(
  size: Vec3,
  horizontal: Horizontal = "center",
  vertical: Vertical = "middle",
  depth: Depth = "center",
): Vec3 {
  const [w, h, d] = size;
  const x = horizontal === "left" ? -w / 2 : horizontal === "right" ? w / 2 : 0;
  const y = vertical === "bottom" ? -h / 2 : vertical === "top" ? h / 2 : 0;
  const z = depth === "back" ? -d / 2 : depth === "front" ? d / 2 : 0;
  return [x, y, z];
}

export class Bounds {
  constructor(
    readonly pose: Pose,
    readonly size: Vec3,
  ) {}

  /** Bounds centred at (x, y, z) of size w × h × d (d defaults to 1 cm, like alloui). */
  static of(x: number, y: number, z: number, w = 0, h = 0, d = 0.01): Bounds {
    return new Bounds(Pose.at(x, y, z), [w, h, d]);
  }

  static sized(w: number, h: number, d = 0.01): Bounds {
    return new Bounds(Pose.identity, [w, h, d]);
  }

  move(x: number, y = 0, z = 0): Bounds {
    return new Bounds(this.pose.move(x, y, z), this.size);
  }

  rotate(angle: number, axis: Vec3 = [0, 1, 0]): Bounds {
    return new Bounds(this.pose.rotate(angle, axis), this.size);
  }

  withPose(pose: PoseLike): Bounds {
    return new Bounds(Pose.from(pose), this.size);
  }

  /** Shrinks by w, h, d in total (half on each side). */
  inset(w: number, h = w, d = 0): Bounds {
    return new Bounds(this.pose, [this.size[0] - w, this.size[1] - h, this.size[2] - d]);
  }

  /** Places these bounds so their own edge touches the parent's same edge, from inside (a title at the top). */
  atEdgeOf(
    parent: Vec3,
    horizontal: Horizontal = "center",
    vertical: Vertical = "middle",
    depth: Depth = "center",
  ): Bounds {
    const outer = edge(parent, horizontal, vertical, depth);
    const inner = edge(this.size, horizontal, vertical, depth);
    return new Bounds(Pose.at(outer[0] - inner[0], outer[1] - inner[1], outer[2] - inner[2]), this.size);
  }

  transform() {
    return this.pose.transform(this.size);
  }
}
