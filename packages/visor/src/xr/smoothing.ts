// Transforms that arrive at the place's tick rate (20 Hz) drawn smoothly at the headset's 72–120 Hz: each new matrix
// is approached over one tick from where the entity is drawn now (position lerp, rotation slerp). Used for moving
// avatars (entities with `intent` or `visor`) and for the rig that carries the viewer.
import * as THREE from "three";

interface Motion {
  from: THREE.Matrix4;
  to: THREE.Matrix4;
  startedAt: number;
}

const a = { p: new THREE.Vector3(), q: new THREE.Quaternion(), s: new THREE.Vector3() };
const b = { p: new THREE.Vector3(), q: new THREE.Quaternion(), s: new THREE.Vector3() };

export function interpolate(from: THREE.Matrix4, to: THREE.Matrix4, t: number, out: THREE.Matrix4): THREE.Matrix4 {
  if (t >= 1) return out.copy(to);
  from.decompose(a.p, a.q, a.s);
  to.decompose(b.p, b.q, b.s);
  return out.compose(a.p.lerp(b.p, t), a.q.slerp(b.q, t), a.s.lerp(b.s, t));
}

/** Smooths one matrix stream. */
export class SmoothedMatrix {
  readonly current = new THREE.Matrix4();
  private motion: Motion | undefined;
  private started = false;

  constructor(private readonly durationMs: number) {}

  /** The latest matrix from the place (call every frame; a repeat is ignored). */
  target(matrix: THREE.Matrix4, now: number): void {
    if (!this.started) {
      this.started = true;
      this.current.copy(matrix);
      return;
    }
    if (this.motion ? this.motion.to.equals(matrix) : this.current.equals(matrix)) return;
    this.motion = { from: this.current.clone(), to: matrix.clone(), startedAt: now };
  }

  /** Advance to `now`; returns whether the matrix changed. */
  step(now: number): boolean {
    const motion = this.motion;
    if (!motion) return false;
    const t = (now - motion.startedAt) / this.durationMs;
    interpolate(motion.from, motion.to, t, this.current);
    if (t >= 1) this.motion = undefined;
    return true;
  }

  reset(): void {
    this.started = false;
    this.motion = undefined;
  }
}
