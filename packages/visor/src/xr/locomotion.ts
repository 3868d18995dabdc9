// Thumbsticks: the left one walks (the place's stick movement, docs/protocol.md §6.1: the avatar moves where the head
// faces), the right one turns — in snap steps by default (the comfortable choice), or smoothly.
export interface Comfort {
  turn: "snap" | "smooth";
  snapDegrees: number;
  /** Smooth turning speed, degrees a second. */
  smoothDegreesPerSecond: number;
  /** A fraction of the place's walking speed (1 = the place's 2 m/s). */
  speed: number;
}

export function comfortFromQuery(query: URLSearchParams): Comfort {
  const snap = Number(query.get("snap"));
  return {
    turn: query.get("turn") === "smooth" ? "smooth" : "snap",
    snapDegrees: snap > 0 && snap <= 90 ? snap : 30,
    smoothDegreesPerSecond: 90,
    speed: query.get("speed") === "slow" ? 0.5 : 1,
  };
}

const DEAD_ZONE = 0.15;
const SNAP_AT = 0.7;
const SNAP_REARM = 0.3;

export class Locomotion {
  /** The body's heading about +Y (three.js: positive turns left); the intent's yaw is its negative. */
  heading = 0;
  xmovement = 0;
  zmovement = 0;
  private snapArmed = true;

  constructor(readonly comfort: Comfort) {}

  /** `move`: the walking stick's axes; `turn`: the turning stick's x; `dt` in seconds. */
  update(move: { x: number; y: number } | undefined, turnX: number, dt: number): void {
    const speed = this.comfort.speed;
    const dead = (v: number) => (Math.abs(v) < DEAD_ZONE ? 0 : v);
    this.xmovement = move ? dead(move.x) * speed : 0;
    // a stick pushed forward reads y < 0; forward is −z in the avatar's frame
    this.zmovement = move ? dead(move.y) * speed : 0;
    if (this.comfort.turn === "smooth") {
      this.heading -= dead(turnX) * ((this.comfort.smoothDegreesPerSecond * Math.PI) / 180) * dt;
      return;
    }
    if (this.snapArmed && Math.abs(turnX) >= SNAP_AT) {
      this.heading -= Math.sign(turnX) * ((this.comfort.snapDegrees * Math.PI) / 180);
      this.snapArmed = false;
    } else if (Math.abs(turnX) <= SNAP_REARM) this.snapArmed = true;
  }
}
