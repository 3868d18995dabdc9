// The XR visor's pure parts: thumbstick locomotion with its comfort settings, and the smoothing that carries state
// frames (20 Hz) across headset frames.
import { describe, expect, it } from "vitest";
import * as THREE from "three";
import { Locomotion, comfortFromQuery } from "../src/xr/locomotion.ts";
import { SmoothedMatrix, interpolate } from "../src/xr/smoothing.ts";

describe("locomotion", () => {
  it("walks where the stick points: forward is the place's negative zmovement, a dead zone ignores drift", () => {
    const walk = new Locomotion(comfortFromQuery(new URLSearchParams()));
    walk.update({ x: 0.05, y: -1 }, 0, 1 / 72);
    expect(walk.xmovement).toBe(0);
    expect(walk.zmovement).toBe(-1);
    walk.update({ x: 0.5, y: 0 }, 0, 1 / 72);
    expect([walk.xmovement, walk.zmovement]).toEqual([0.5, 0]);
  });

  it("snap-turns one step per push, re-armed only once the stick comes back", () => {
    const walk = new Locomotion(comfortFromQuery(new URLSearchParams("snap=45")));
    for (let frame = 0; frame < 30; frame++) walk.update(undefined, 1, 1 / 72); // held right
    expect(walk.heading).toBeCloseTo(-Math.PI / 4, 10);
    walk.update(undefined, 0.5, 1 / 72); // not back far enough
    walk.update(undefined, 1, 1 / 72);
    expect(walk.heading).toBeCloseTo(-Math.PI / 4, 10);
    walk.update(undefined, 0, 1 / 72);
    walk.update(undefined, -1, 1 / 72); // left
    expect(walk.heading).toBeCloseTo(0, 10);
  });

  it("turns smoothly at its speed when asked, and walks at half speed when slow", () => {
    const walk = new Locomotion(comfortFromQuery(new URLSearchParams("turn=smooth&speed=slow")));
    walk.update({ x: 0, y: -1 }, -1, 0.5);
    expect(walk.heading).toBeCloseTo((90 * Math.PI) / 180 / 2, 10); // 90°/s for half a second, to the left
    expect(walk.zmovement).toBe(-0.5);
  });
});

describe("smoothing between state frames", () => {
  const at = (x: number, yaw = 0) => new THREE.Matrix4().makeRotationY(yaw).setPosition(x, 0, 0);

  it("glides from where it is drawn to the newest matrix over one tick", () => {
    const smoothed = new SmoothedMatrix(50);
    smoothed.target(at(0), 0);
    expect(smoothed.step(0)).toBe(false); // the first matrix is taken as it is
    smoothed.target(at(1, Math.PI / 2), 100);
    smoothed.step(125);
    const half = new THREE.Vector3().setFromMatrixPosition(smoothed.current);
    expect(half.x).toBeCloseTo(0.5, 10);
    const q = new THREE.Quaternion().setFromRotationMatrix(smoothed.current);
    expect(2 * Math.acos(q.w)).toBeCloseTo(Math.PI / 4, 6); // halfway round as well
    expect(smoothed.step(150)).toBe(true);
    expect(smoothed.current.equals(at(1, Math.PI / 2))).toBe(true);
    expect(smoothed.step(160)).toBe(false); // arrived: nothing more to draw
  });

  it("starts a new glide from where it is shown when a frame arrives mid-way", () => {
    const smoothed = new SmoothedMatrix(50);
    smoothed.target(at(0), 0);
    smoothed.target(at(1), 0);
    smoothed.step(25);
    smoothed.target(at(2), 25);
    smoothed.step(50);
    expect(new THREE.Vector3().setFromMatrixPosition(smoothed.current).x).toBeCloseTo(1.25, 10); // 0.5 → 2, halfway
  });

  it("interpolates scale too, and returns the target at t ≥ 1", () => {
    const out = interpolate(
      new THREE.Matrix4().makeScale(1, 1, 1),
      new THREE.Matrix4().makeScale(3, 3, 3),
      0.5,
      new THREE.Matrix4(),
    );
    expect(out.elements[0]).toBeCloseTo(2, 10);
    expect(interpolate(at(0), at(4), 1.5, new THREE.Matrix4()).equals(at(4))).toBe(true);
  });
});
