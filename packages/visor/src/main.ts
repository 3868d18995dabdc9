// Boot: the three.js view, the panel, input, and a connection to the place that kept itself alive. The visor page
// is served by the place, so by default it connects to its own origin; `?place=` names another place.
import * as THREE from "three";
import { PLACE_ENTITY_ID, type EntityId, type InteractionBody } from "@allo/protocol";
import "./style.css";
import { avatarColor, avatarSpec, RESTING_HANDS } from "./avatar.ts";
import { keepConnected, type ConnectionState, type VisorClient } from "./connection.ts";
import { AnimationPlayer } from "./scene/animation.ts";
import { EntityScene } from "./scene/entities.ts";
import { Grab } from "./input/grab.ts";
import { KeyboardFocus } from "./input/keyboard.ts";
import { Pointer } from "./input/pointer.ts";
import { Walk } from "./input/walk.ts";
import { Panel } from "./panel/panel.ts";
import { VisorHook } from "./page-hook.ts";
import { startSession } from "./session.ts";
import { createStage } from "./scene/stage.ts";
import { comfortFromQuery } from "./xr/locomotion.ts";
import { installXrHook } from "./xr/xr-hook.ts";
import { XrVisor } from "./xr/xr-visor.ts";

const query = new URLSearchParams(location.search);
const placeUrl = query.get("place") ?? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
const displayName = query.get("name") ?? `web visor ${Math.random().toString(36).slice(2, 6)}`;
// An invite link (allo token --place) carries a token in the fragment, which browsers never send to a server.
const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? query.get("token");
const httpBase = placeUrl
  .replace(/^alloplace:/, "ws:")
  .replace(/^ws/, "http")
  .replace(/\/+$/, "");
const assetUrl = (id: string) => `${new URL(httpBase).origin}/assets/${encodeURIComponent(id)}`;

const canvas = document.getElementById("view") as HTMLCanvasElement;
const toast = document.getElementById("toast") as HTMLElement;
const quality = query.get("quality");
// `?adaptive=0` keeps the resolution fixed however slow frames are (for screenshots).
const stage = createStage(
  canvas,
  quality === "low" || quality === "high" ? quality : "auto",
  query.get("adaptive") !== "0",
);
const { camera } = stage;

let client: VisorClient | undefined;
let toastTimer: ReturnType<typeof setTimeout> | undefined;
const problemsSeen = new Set<string>();

function showProblem(message: string): void {
  console.warn(`allo visor: ${message}`);
  toast.textContent = message;
  toast.classList.add("visible");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toast.classList.remove("visible"), 4000);
}

const hookChanged = new Set<EntityId>();
const scene = new EntityScene({
  assetUrl,
  shading: stage.low ? { kind: "vertex", lighting: stage.lighting } : { kind: "pbr" },
  onDrawnChange: (id) => hookChanged.add(id),
  onProblem: (id, problem) => {
    const key = `${id}: ${problem}`;
    if (problemsSeen.has(key)) return;
    problemsSeen.add(key);
    console.warn(`allo visor: entity ${key}`);
  },
});
stage.scene.add(scene.root);
const animations = new AnimationPlayer((id, problem) => console.warn(`allo visor: entity ${id}: ${problem}`));

const send = (receiver: EntityId, body: InteractionBody) => {
  if (client?.isOpen) client.send(client.avatarId, receiver, body);
};
const request = (receiver: EntityId, body: InteractionBody, timeout?: number): Promise<InteractionBody> =>
  client?.isOpen
    ? client.request(client.avatarId, receiver, body, timeout ? { timeout } : undefined)
    : Promise.reject(new Error("not connected"));

const panelRoot = document.getElementById("panel") as HTMLElement;
const launch = async (url: string) => {
  const answer = await request(PLACE_ENTITY_ID, ["launch_app", url, {}], 40_000);
  return `launched: its avatar is ${String(answer[2])}`;
};
const panel = new Panel(panelRoot, {
  launch,
  reconnect: () => connection.reconnectNow(),
});
const walk = new Walk();
const grab = new Grab((entityId, grabbing) => send(entityId, ["grabbing", grabbing]));
const keyboard = new KeyboardFocus({
  request: (receiver, body) => request(receiver, body),
  send,
  onFocusChange: (id) => {
    panel.setFocus(id);
    xr.focusChanged(id);
  },
  onProblem: showProblem,
});
// Immersive VR/AR (xr/): while a session runs, its animation loop runs the frame below instead of the window's.
const xr = new XrVisor({
  stage,
  scene,
  keyboard,
  comfort: comfortFromQuery(query),
  tickMs: 50, // the place's 20 Hz (docs/protocol.md §6.1)
  link: { send, request, showProblem },
  launch,
  ownAvatar: () => client?.avatarId,
  heading: () => walk.heading,
  step: (now) => step(now),
  ended: () => {
    walk.heading = xr.locomotion.heading; // the body keeps facing where it turned in VR
    lastIntent = ""; // the place holds the headset's last intent: send the desktop's again
    drawnCamera.makeScale(0, 0, 0); // no camera has this matrix: the next frame places the camera again and draws
    requestAnimationFrame(frame);
  },
});
void xr.offerButtons(document.getElementById("visor") as HTMLElement);
installXrHook(xr, scene);
const pointer = new Pointer(canvas, camera, scene, walk, grab, keyboard, {
  send,
  request,
  showProblem,
  select: (id) => panel.select(id),
});

function lookAt(id: EntityId): boolean {
  const world = scene.worldMatrixOf(id);
  if (!world) return false;
  const target = new THREE.Vector3().setFromMatrixPosition(world);
  const direction = target.sub(camera.position);
  walk.heading = Math.atan2(-direction.x, -direction.z);
  walk.pitch = Math.atan2(direction.y, Math.hypot(direction.x, direction.z));
  return true;
}

const connection = keepConnected({
  placeUrl,
  identity: { display_name: displayName, ...(token ? { token } : {}) },
  avatar: () => avatarSpec(displayName, avatarColor(displayName)),
  onState: (state: ConnectionState) => panel.setConnection(state),
  onSession: (live) => {
    client = live;
    const teardown = startSession(live, {
      scene,
      animations,
      panel,
      keyboard,
      onEntityChanged: (id) => {
        hookChanged.add(id);
        xr.entityChanged(id);
      },
    });
    return () => {
      teardown();
      grab.end();
      client = undefined;
    };
  },
});

const hook = new VisorHook({
  scene,
  camera,
  canvas,
  client: () => client,
  connection: () => connection.state,
  lookAt,
  pixelRatio: () => stage.pixelRatio,
  changedSinceDraw: hookChanged,
});
hook.install();

window.addEventListener("keydown", (e) => {
  if ((e.target as HTMLElement).closest?.("input, textarea, select")) return;
  if (keyboard.keyDown(e)) return e.preventDefault();
  if (e.code === "Backquote") return panel.toggle();
  if (walk.isWalkKey(e.code) && !e.ctrlKey && !e.metaKey) {
    walk.keyDown(e.code);
    e.preventDefault();
  }
});
window.addEventListener("keyup", (e) => walk.keyUp(e.code));
window.addEventListener("blur", () => walk.releaseAll());
panelRoot.addEventListener("dblclick", (e) => {
  const id = (e.target as HTMLElement).closest("[data-entity-id]")?.getAttribute("data-entity-id");
  if (id) lookAt(id);
});

let lastIntent = "";
/** When the previous loop turn drew (for adaptive resolution), or undefined when it drew nothing. */
let lastDrawnAt: number | undefined;
const cameraMatrix = new THREE.Matrix4();
const drawnCamera = new THREE.Matrix4();

// Every animation frame: apply what changed and draw only if something visible did (an entity, the camera, the
// canvas size). A still world costs a few microseconds a frame, however large it is.
function frame(): void {
  if (xr.presenting) return; // the XR session's loop runs step() now
  requestAnimationFrame(frame);
  step(performance.now());
}

function step(now: number): void {
  const live = client;
  if (live) animations.frame(live.serverTime(), scene);
  const avatarWorld = live ? scene.worldMatrixOf(live.avatarId) : undefined;
  if (xr.presenting) return xrStep(now, live, avatarWorld);
  walk.cameraMatrix(avatarWorld, cameraMatrix);
  const cameraMoved = !cameraMatrix.equals(drawnCamera);
  if (cameraMoved) {
    drawnCamera.copy(cameraMatrix);
    cameraMatrix.decompose(camera.position, camera.quaternion, camera.scale);
    camera.updateMatrixWorld();
  }
  const sceneChanged = scene.update();
  const resized = stage.takeResized();
  pointer.frame(now, cameraMoved || sceneChanged);
  if (live?.isOpen) {
    const w = walk.intent();
    const update = {
      xmovement: w.xmovement,
      zmovement: w.zmovement,
      yaw: w.yaw,
      pitch: w.pitch,
      wants_stick_movement: true,
      poses: {
        head: w.headPose,
        "hand/left": { matrix: [...RESTING_HANDS["hand/left"]] },
        "hand/right": grab.rightHandPose(avatarWorld),
      },
    };
    const key = JSON.stringify(update);
    if (key !== lastIntent) {
      lastIntent = key;
      live.setIntent(update);
    }
  }
  const draw = sceneChanged || cameraMoved || resized;
  let renderMs = 0;
  if (draw) {
    const renderStarted = performance.now();
    stage.render();
    renderMs = performance.now() - renderStarted;
    if (lastDrawnAt !== undefined) stage.adapt(now - lastDrawnAt);
  }
  lastDrawnAt = draw ? now : undefined;
  hookChanged.clear();
  panel.frame(now, live?.world.entities ?? new Map(), live?.avatarId);
  hook.afterFrame(now, draw, renderMs, stage.renderer.info.render.calls, performance.now() - now);
}

/** A frame in the headset: drawn every time (the head moves), intent from the XR poses at the place's tick rate. */
function xrStep(now: number, live: VisorClient | undefined, avatarWorld: THREE.Matrix4 | undefined): void {
  const update = xr.frame(now, avatarWorld);
  scene.update();
  if (live?.isOpen && update) live.setIntent(update);
  const renderStarted = performance.now();
  stage.render();
  const renderMs = performance.now() - renderStarted;
  hookChanged.clear();
  hook.afterFrame(now, true, renderMs, stage.renderer.info.render.calls, performance.now() - now);
}
requestAnimationFrame(frame);
