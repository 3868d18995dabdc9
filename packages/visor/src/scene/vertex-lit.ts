// Lambert lighting evaluated per vertex, for software WebGL: there the frame's cost is the pixels filled, and
// three.js's Lambert lights every pixel. Lit per vertex (and, without a texture, encoded to sRGB per vertex), a pixel
// costs less than an unlit one does. On flat faces (boxes,
// planes, the UI's panels) the light is the same at every vertex of a face, so the picture is the same as per-pixel
// Lambert; curved surfaces get Gouraud shading. Same light model as three.js's Lambert (physically based units):
// (hemisphere + sun · max(n·l, 0)) · albedo / π.
import * as THREE from "three";

/** The stage's lights, as the shader needs them (linear colour × intensity; direction towards the sun, world space). */
export interface VertexLighting {
  sky: THREE.Color;
  ground: THREE.Color;
  sun: THREE.Color;
  sunDirection: THREE.Vector3;
}

export function vertexLightingOf(hemisphere: THREE.HemisphereLight, sun: THREE.DirectionalLight): VertexLighting {
  return {
    sky: hemisphere.color.clone().multiplyScalar(hemisphere.intensity),
    ground: hemisphere.groundColor.clone().multiplyScalar(hemisphere.intensity),
    sun: sun.color.clone().multiplyScalar(sun.intensity),
    sunDirection: sun.position.clone().sub(sun.target.position).normalize(),
  };
}

const VERTEX_DECLARATIONS = /* glsl */ `
uniform vec3 diffuse;
uniform vec3 alloSky;
uniform vec3 alloGround;
uniform vec3 alloSun;
uniform vec3 alloSunDirection;
varying vec3 vAlloFront;
varying vec3 vAlloBack;
vec3 alloIrradiance(vec3 n, vec3 up, vec3 toSun) {
  return mix(alloGround, alloSky, 0.5 * dot(n, up) + 0.5) + alloSun * max(dot(n, toSun), 0.0);
}
#ifdef USE_FOG
  uniform vec3 fogColor;
  #ifdef FOG_EXP2
    uniform float fogDensity;
  #else
    uniform float fogNear;
    uniform float fogFar;
  #endif
#endif
// three.js's sRGBTransferOETF: the canvas is sRGB (three.js's default output colour space, which stage.ts keeps)
vec3 alloToSRGB(vec3 c) {
  return mix(pow(c, vec3(0.41666)) * 1.055 - vec3(0.055), c * 12.92, vec3(lessThanEqual(c, vec3(0.0031308))));
}
`;

// After <fog_vertex>: transformedNormal is the view-space normal (the normal chunks are switched on below). Without
// a texture the whole colour is known per vertex, so it is also encoded to sRGB and fogged here (as three.js's
// fog_fragment does it, after encoding): per pixel, the encoding's three pow() calls cost software WebGL more than
// everything else a pixel does, and the fog a third of what was left.
const VERTEX_LIGHTING = /* glsl */ `
  vec3 alloNormal = normalize(transformedNormal);
  vec3 alloUp = normalize((viewMatrix * vec4(0.0, 1.0, 0.0, 0.0)).xyz);
  vec3 alloToSun = normalize((viewMatrix * vec4(alloSunDirection, 0.0)).xyz);
  vAlloFront = alloIrradiance(alloNormal, alloUp, alloToSun) * RECIPROCAL_PI;
  vAlloBack = alloIrradiance(-alloNormal, alloUp, alloToSun) * RECIPROCAL_PI;
  #ifndef USE_MAP
    vec3 alloAlbedo = diffuse;
    #if defined( USE_COLOR ) || defined( USE_COLOR_ALPHA ) || defined( USE_INSTANCING_COLOR ) || defined( USE_BATCHING_COLOR )
      alloAlbedo *= vColor.rgb;
    #endif
    vAlloFront = alloToSRGB(vAlloFront * alloAlbedo);
    vAlloBack = alloToSRGB(vAlloBack * alloAlbedo);
    #ifdef USE_FOG
      #ifdef FOG_EXP2
        float alloFog = 1.0 - exp(-fogDensity * fogDensity * vFogDepth * vFogDepth);
      #else
        float alloFog = smoothstep(fogNear, fogFar, vFogDepth);
      #endif
      vAlloFront = mix(vAlloFront, fogColor, alloFog);
      vAlloBack = mix(vAlloBack, fogColor, alloFog);
    #endif
  #endif
`;

// The fragment side: light (with a texture: times the albedo per pixel, then encoded and fogged as three.js does),
// or the colour the vertices already finished. A double-sided face seen from behind is lit as its back (as Lambert does).
const FRAGMENT_LIGHT = /* glsl */ `
  #ifdef DOUBLE_SIDED
    reflectedLight.indirectDiffuse += gl_FrontFacing ? vAlloFront : vAlloBack;
  #else
    reflectedLight.indirectDiffuse += vAlloFront;
  #endif
`;

/** Turns an (unlit) MeshBasicMaterial into a per-vertex Lambert one lit by `lighting`. */
export function litPerVertex(material: THREE.MeshBasicMaterial, lighting: VertexLighting): THREE.MeshBasicMaterial {
  const uniforms = {
    alloSky: { value: lighting.sky },
    alloGround: { value: lighting.ground },
    alloSun: { value: lighting.sun },
    alloSunDirection: { value: lighting.sunDirection },
  };
  material.onBeforeCompile = (shader) => {
    Object.assign(shader.uniforms, uniforms);
    let vertex = replaceOnce(shader.vertexShader, "void main() {", `${VERTEX_DECLARATIONS}\nvoid main() {`);
    vertex = replaceOnce(vertex, "#if defined ( USE_ENVMAP ) || defined ( USE_SKINNING )", "#if 1"); // the normal chunks
    shader.vertexShader = replaceOnce(vertex, "#include <fog_vertex>", `#include <fog_vertex>\n${VERTEX_LIGHTING}`);
    let fragment = replaceOnce(
      shader.fragmentShader,
      "void main() {",
      "varying vec3 vAlloFront;\nvarying vec3 vAlloBack;\nvoid main() {",
    );
    fragment = replaceOnce(fragment, "reflectedLight.indirectDiffuse += vec3( 1.0 );", FRAGMENT_LIGHT);
    fragment = replaceOnce(
      fragment,
      "reflectedLight.indirectDiffuse *= diffuseColor.rgb;",
      "#ifdef USE_MAP\nreflectedLight.indirectDiffuse *= diffuseColor.rgb;\n#endif",
    );
    fragment = replaceOnce(
      fragment,
      "#include <colorspace_fragment>",
      "#ifdef USE_MAP\n#include <colorspace_fragment>\n#endif",
    );
    shader.fragmentShader = replaceOnce(
      fragment,
      "#include <fog_fragment>",
      "#ifdef USE_MAP\n#include <fog_fragment>\n#endif",
    );
  };
  material.customProgramCacheKey = () => "allo-vertex-lit";
  return material;
}

function replaceOnce(source: string, find: string, replacement: string): string {
  const at = source.indexOf(find);
  // three.js changed its shader: fail loudly rather than draw unlit
  if (at < 0) throw new Error(`allo visor: three.js shader has no "${find}" (vertex-lit.ts needs updating)`);
  return source.slice(0, at) + replacement + source.slice(at + find.length);
}
