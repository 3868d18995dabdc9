// A tracked hand drawn from its joints (WebXR Hand Input): one small sphere per joint, one draw call per hand.
import * as THREE from "three";

const JOINTS = 25;

export class HandJoints {
  readonly mesh: THREE.InstancedMesh;
  private readonly matrix = new THREE.Matrix4();
  private readonly scale = new THREE.Vector3();
  private readonly position = new THREE.Vector3();
  private readonly rotation = new THREE.Quaternion();

  constructor(color: number) {
    this.mesh = new THREE.InstancedMesh(
      new THREE.SphereGeometry(1, 10, 6),
      new THREE.MeshBasicMaterial({ color }),
      JOINTS,
    );
    this.mesh.frustumCulled = false;
    this.mesh.visible = false;
    this.mesh.matrixAutoUpdate = false;
  }

  /** Joint poses in the rig's frame (column-major 4×4 each) and radii; undefined hides the hand. */
  update(poses: Float32Array | undefined, radii: Float32Array | undefined): void {
    this.mesh.visible = !!poses;
    if (!poses || !radii) return;
    for (let i = 0; i < JOINTS; i++) {
      this.matrix.fromArray(poses, i * 16).decompose(this.position, this.rotation, this.scale);
      const r = Math.max(0.004, radii[i] || 0.008);
      this.matrix.compose(this.position, this.rotation, this.scale.set(r, r, r));
      this.mesh.setMatrixAt(i, this.matrix);
    }
    this.mesh.instanceMatrix.needsUpdate = true;
  }
}

export const JOINT_COUNT = JOINTS;
/** The index of the index fingertip in the WebXR joint order. */
export const INDEX_TIP = 9;
