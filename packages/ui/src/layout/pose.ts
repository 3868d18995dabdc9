// Poses: column-major 4×4 matrices (docs/protocol.md §6.1), built with gl-matrix. Every operation is applied in the
// parent's frame (pre-multiplied), like alloui's Pose: "size at origin, rotate, then move" reads top to bottom.
import { mat4, quat, vec3 } from "gl-matrix";
import { IDENTITY_MATRIX, identityMatrix, type Mat4, type TransformComponent, type Vec3 } from "@allo/protocol";

export type PoseLike = Pose | Mat4;

/** An immutable pose. `Pose.at(0, 1, 0).rotate(Math.PI / 2, [0, 1, 0])` rotates about the parent's origin. */
export class Pose {
  static readonly identity = new Pose(Array.from(m4()));

  private constructor(readonly matrix: Mat4) {}

  static at(x: number, y = 0, z = 0): Pose {
    return Pose.identity.move(x, y, z);
  }

  static from(value: PoseLike | undefined): Pose {
    if (!value) return Pose.identity;
    return value instanceof Pose ? value : new Pose([...value]);
  }

  /** Moves by (x, y, z) in the parent's frame. */
  move(x: number, y = 0, z = 0): Pose {
    return this.premultiply(mat4.fromTranslation(m4(), [x, y, z]));
  }

  /** Rotates by `angle` radians about `axis` through the parent's origin. */
  rotate(angle: number, axis: Vec3 = [0, 1, 0]): Pose {
    return this.premultiply(mat4.fromRotation(m4(), angle, axis));
  }

  scale(x: number, y = x, z = x): Pose {
    return this.premultiply(mat4.fromScaling(m4(), [x, y, z]));
  }

  /** This pose followed by `other` applied in this pose's own frame (other is local to this). */
  concat(other: PoseLike): Pose {
    return new Pose(Array.from(mat4.multiply(m4(), this.matrix as mat4, Pose.from(other).matrix as mat4)));
  }

  get position(): Vec3 {
    return [this.matrix[12], this.matrix[13], this.matrix[14]];
  }

  get rotation(): [number, number, number, number] {
    const q = mat4.getRotation([0, 0, 0, 1] as unknown as quat, this.matrix as mat4);
    return [q[0], q[1], q[2], q[3]];
  }

  inverse(): Pose {
    return new Pose(Array.from(mat4.invert(m4(), this.matrix as mat4) ?? m4()));
  }

  /** A point given in this pose's frame, expressed in the parent's frame. */
  apply(point: Vec3): Vec3 {
    const out = vec3.transformMat4([0, 0, 0] as unknown as vec3, point, this.matrix as mat4);
    return [out[0], out[1], out[2]];
  }

  /** The transform component: `transform={pose.transform(size)}`. */
  transform(size?: Vec3): TransformComponent {
    return size ? { matrix: round(this.matrix), size } : { matrix: round(this.matrix) };
  }

  private premultiply(m: mat4): Pose {
    return new Pose(Array.from(mat4.multiply(m4(), m, this.matrix as mat4)));
  }
}

/** A float64 4×4 (gl-matrix's own create() is Float32Array, which turns 0.15 into 0.150000006). */
function m4(): mat4 {
  return identityMatrix() as unknown as mat4;
}

/** The identity matrix (@allo/protocol's IDENTITY_MATRIX, frozen). */
export const IDENTITY = IDENTITY_MATRIX;

// Keep float noise (6.1e-17) off the wire and out of equality checks.
function round(m: Mat4): Mat4 {
  return m.map((v) => (Math.abs(v) < 1e-12 ? 0 : Math.round(v * 1e9) / 1e9));
}

/** The matrix of a PoseLike, or a translation to `position`, for components' pose/position props. */
export function matrixOf(pose: PoseLike | undefined, position?: Vec3): Mat4 {
  if (pose) return Pose.from(pose).transform().matrix;
  return position ? Pose.at(position[0], position[1], position[2]).transform().matrix : identityMatrix();
}

/** World matrix of an entity in a world mirror: the product of transforms up the relationships chain. */
export function worldMatrix(entities: ReadonlyMap<string, { components: Record<string, unknown> }>, id: string): Mat4 {
  let m = m4();
  const seen = new Set<string>();
  for (let at: string | undefined = id; at && !seen.has(at);) {
    seen.add(at);
    const entity = entities.get(at);
    if (!entity) break;
    const local = (entity.components.transform as TransformComponent | undefined)?.matrix;
    if (local) m = mat4.multiply(m4(), local as mat4, m);
    at = (entity.components.relationships as { parent?: string } | undefined)?.parent;
  }
  return Array.from(m);
}
