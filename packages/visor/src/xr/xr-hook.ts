// window.alloVisorXR: what the XR browser tests read (never needed by a person). Positions are world space.
import * as THREE from "three";
import type { EntityId } from "@allo/protocol";
import type { EntityScene } from "../scene/entities.ts";
import type { XrMode, XrVisor } from "./xr-visor.ts";
import type { Handedness } from "./hand-input.ts";

type Vec3 = [number, number, number];

export interface VisorXrApi {
  presenting(): boolean;
  mode(): XrMode | undefined;
  /** XR frames run since the session began. */
  frames(): number;
  /** The rig's world matrix: the local-floor space's place in the world (the avatar, smoothed). */
  rig(): number[];
  hand(hand: Handedness): {
    tracked: boolean;
    hovered?: EntityId;
    pressing?: EntityId;
    touching?: EntityId;
    grabbing?: EntityId;
    indexTip?: Vec3;
    failures: number;
    jointsDrawn: boolean;
    rayOrigin: Vec3;
    rayDirection: Vec3;
  };
  /** Select presses and releases the hand has seen (trigger or pinch). */
  selects(hand: Handedness): { down: number; up: number };
  /** An entity's collider centre (or origin). */
  worldPosition(id: EntityId): Vec3 | null;
  keyboard(): { open: boolean; title?: string };
  menu(): { open: boolean };
  /** The centre of an in-world keyboard key (`key:a`, `space`, `done`…) or menu button. */
  buttonPosition(panel: "keyboard" | "menu", id: string): Vec3 | null;
  heading(): number;
  /** AR: the world is drawn over the camera's view (no background, no floor). */
  passthrough(): boolean;
  leave(): Promise<void>;
}

declare global {
  interface Window {
    alloVisorXR: VisorXrApi;
  }
}

const vec = (v: THREE.Vector3): Vec3 => [v.x, v.y, v.z];

export function installXrHook(xr: XrVisor, scene: EntityScene): void {
  window.alloVisorXR = {
    presenting: () => xr.presenting,
    mode: () => xr.mode,
    frames: () => xr.frames,
    rig: () => xr.rig.matrixWorld.toArray(),
    hand: (hand) => {
      const h = xr.hands[hand];
      return {
        tracked: h.tracked,
        hovered: h.hovered,
        pressing: h.pressing,
        touching: h.touched,
        grabbing: h.grabbing,
        indexTip: h.indexTipWorld && vec(h.indexTipWorld),
        failures: h.failures,
        jointsDrawn: xr.joints[hand].mesh.visible,
        rayOrigin: vec(h.rayWorld.origin),
        rayDirection: vec(h.rayWorld.direction),
      };
    },
    selects: (hand) => ({ ...xr.hands[hand].selects }),
    worldPosition: (id) => {
      const view = scene.views.get(id);
      if (!view) return null;
      const target = view.collider ?? view.object;
      target.updateWorldMatrix(true, false);
      return vec(new THREE.Vector3().setFromMatrixPosition(target.matrixWorld));
    },
    keyboard: () => ({ open: xr.keyboardPanel.open, title: xr.keyboardPanel.targetTitle }),
    menu: () => ({ open: xr.menu.open }),
    buttonPosition: (panel, id) => {
      const p = (panel === "keyboard" ? xr.keyboardPanel.panel : xr.menu.panel).buttonWorldPosition(id);
      return p ? vec(p) : null;
    },
    heading: () => xr.locomotion.heading,
    passthrough: () => xr.passthroughOn,
    leave: () => xr.leave(),
  };
}
