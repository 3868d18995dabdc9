// The fixed part of the view: renderer, camera, lights, a floor to stand on; resizes with the window.
import * as THREE from "three";
import { litPerVertex, vertexLightingOf, type VertexLighting } from "./vertex-lit.ts";

export interface Stage {
  renderer: THREE.WebGLRenderer;
  /** The WebGL implementation; software ones (SwiftShader, llvmpipe) get a lighter setup. */
  software: boolean;
  /** Whether to spare pixels: no multisampling, pixel ratio 1, lighting per vertex. */
  low: boolean;
  /** The stage's lights, for materials lit per vertex. */
  lighting: VertexLighting;
  scene: THREE.Scene;
  camera: THREE.PerspectiveCamera;
  render(): void;
  /** Whether the canvas was resized (or its resolution changed) since the last call: the view must be drawn again. */
  takeResized(): boolean;
  /** Adaptive resolution: call after each drawn frame with the time since the previous drawn frame. */
  adapt(frameMs: number): void;
  /** The pixel ratio in use (lowered while frames are slow). */
  readonly pixelRatio: number;
}

// A frame slower than this for a while lowers the resolution (down to MIN_RATIO of the base), faster raises it back.
const SLOW_FRAME_MS = 70;
const FAST_FRAME_MS = 30;
const MIN_RATIO = 0.5;
const ADAPT_EVERY_MS = 1500;

export function createStage(
  canvas: HTMLCanvasElement,
  quality: "auto" | "low" | "high" = "auto",
  adaptive = true,
): Stage {
  const software = isSoftwareWebGL();
  const low = quality === "low" || (quality === "auto" && software);
  // Multisampling and high pixel ratios cost a software renderer most of its frame time.
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: !low, preserveDrawingBuffer: false });
  renderer.setPixelRatio(low ? 1 : Math.min(window.devicePixelRatio, 2));
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x20242c);
  scene.fog = new THREE.Fog(0x20242c, 30, 80);
  const camera = new THREE.PerspectiveCamera(70, 1, 0.02, 200);

  const sky = new THREE.HemisphereLight(0xdfe8ff, 0x3a3530, 1.6);
  scene.add(sky);
  const sun = new THREE.DirectionalLight(0xffffff, 1.6);
  sun.position.set(3, 8, 5);
  scene.add(sun);
  const lighting = vertexLightingOf(sky, sun);
  // flat: lit per vertex it looks the same as per pixel, for less
  const floor = new THREE.Mesh(
    new THREE.CircleGeometry(40, 64).rotateX(-Math.PI / 2),
    litPerVertex(new THREE.MeshBasicMaterial({ color: 0x2c313b }), lighting),
  );
  floor.position.y = -0.001;
  floor.name = "floor";
  scene.add(floor);
  const grid = new THREE.GridHelper(40, 40, 0x4a5160, 0x383e4a);
  grid.name = "grid";
  scene.add(grid);
  // The stage never moves: its matrices once, here. The world (scene/entities.ts) keeps its own current, and the
  // renderer must not walk every entity each frame to find that nothing moved.
  scene.updateMatrixWorld();
  scene.matrixWorldAutoUpdate = false;

  const baseRatio = low ? 1 : Math.min(window.devicePixelRatio, 2);
  let ratio = baseRatio;
  let windowMs = 0;
  let windowFrames = 0;
  let lastAdaptAt = performance.now();
  let resized = true;
  const resize = () => {
    resized = true;
    if (renderer.xr.isPresenting) return; // the headset sizes the view; the canvas is sized again when it ends
    const width = canvas.clientWidth || window.innerWidth;
    const height = canvas.clientHeight || window.innerHeight;
    renderer.setPixelRatio(ratio);
    renderer.setSize(width, height, false);
    camera.aspect = width / Math.max(1, height);
    camera.updateProjectionMatrix();
  };
  new ResizeObserver(resize).observe(canvas);
  resize();

  const adapt = (frameMs: number) => {
    if (!adaptive) return;
    windowMs += Math.min(frameMs, 2000);
    windowFrames++;
    const now = performance.now();
    if (now - lastAdaptAt < ADAPT_EVERY_MS) return;
    const averageFrameMs = windowMs / windowFrames;
    windowMs = windowFrames = 0;
    lastAdaptAt = now;
    const next =
      averageFrameMs > SLOW_FRAME_MS
        ? Math.max(baseRatio * MIN_RATIO, ratio * 0.8)
        : averageFrameMs < FAST_FRAME_MS
          ? Math.min(baseRatio, ratio * 1.25)
          : ratio;
    if (Math.abs(next - ratio) < 0.01) return;
    ratio = next;
    resize();
  };

  return {
    renderer,
    software,
    low,
    lighting,
    scene,
    camera,
    adapt,
    takeResized: () => {
      const was = resized;
      resized = false;
      return was;
    },
    get pixelRatio() {
      return ratio;
    },
    render: () => renderer.render(scene, camera),
  };
}

function isSoftwareWebGL(): boolean {
  const gl = document.createElement("canvas").getContext("webgl2");
  if (!gl) return false;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const name = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return /swiftshader|llvmpipe|software/i.test(name);
}
