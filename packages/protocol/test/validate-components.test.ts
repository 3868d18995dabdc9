import { describe, expect, it } from "vitest";
import { IDENTITY_MATRIX } from "../src/identity.ts";
import { validateComponent, validateComponents, validateEntitySpec } from "../src/validate-components.ts";

const M = [...IDENTITY_MATRIX];
const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? "ok" : r.error);

describe("validateComponents", () => {
  it("accepts every official component in its documented shape, and returns the same object", () => {
    const components = {
      transform: { matrix: M, size: [1, 2, 3] },
      relationships: { parent: "p" },
      intent: { actuate_pose: "hand/left", from_avatar: "av" },
      grabbable: {
        grabbable: true,
        actuate_on: "$parent",
        translation_constraint: [1, 0, 1],
        rotation_constraint: [0, 1, 0],
        target_hand_transform: M,
      },
      collider: { type: "box", width: 1, height: 0.5, depth: 0.1, x: 0, y: 1, z: 2 },
      geometry: {
        type: "inline",
        vertices: [
          [0, 0, 0],
          [1, 0, 0],
          [0, 1, 0],
        ],
        normals: [
          [0, 0, 1],
          [0, 0, 1],
          [0, 0, 1],
        ],
        uvs: [
          [0, 0],
          [1, 0],
          [0, 1],
        ],
        triangles: [[0, 1, 2]],
      },
      material: {
        color: [1, 0.5, 0, 1],
        texture: "asset:sha256:ab",
        shader_name: "pbr",
        roughness: 0.3,
        metalness: 1,
        hasTransparency: false,
        colorswap: [],
      },
      text: {
        string: "hello",
        height: 0.1,
        width: 1,
        wrap: true,
        halign: "left",
        valign: "top",
        fitToWidth: false,
        insertionMarker: true,
      },
      cursor: { name: "brushCursor", size: 2 },
      live_media: { track_id: 3, type: "audio", format: "opus", metadata: { sample_rate: 48000 } },
      property_animations: { animations: {} },
      clock: { time: 12.5 },
      visor: { display_name: "me" },
      ui: { view_id: "abc" },
      focus: { type: "key" },
      my_app_state: { anything: [1, "two", { three: null }] },
      score: 7,
    };
    const r = validateComponents(components);
    expect(r.ok).toBe(true);
    expect(r.ok && r.value).toBe(components);
  });

  it.each([
    [{ type: "asset", name: "asset:sha256:00" }],
    [{ type: "hardcoded-model", name: "hand" }],
    [{ type: "inline", vertices: [], triangles: [] }],
  ])("accepts geometry %j", (geometry) => {
    expect(errorOf(validateComponents({ geometry }))).toBe("ok");
  });

  it.each([
    [{ transform: { matrix: M.slice(1) } }, "components.transform.matrix must be 16 finite numbers"],
    [{ transform: {} }, "components.transform.matrix must be 16 finite numbers"],
    [{ transform: { matrix: M, size: [1, 2] } }, "components.transform.size must be 3 finite numbers"],
    [{ transform: [1] }, "components.transform must be an object, got an array"],
    [{ relationships: { parent: 3 } }, "components.relationships.parent must be a non-empty entity id string"],
    [{ relationships: { parent: "" } }, "components.relationships.parent must be a non-empty entity id string"],
    [{ collider: { type: "sphere", width: 1, height: 1, depth: 1 } }, 'components.collider.type must be "box"'],
    [
      { collider: { type: "box", width: 1, height: "1", depth: 1 } },
      "components.collider.height must be a finite number",
    ],
    [{ collider: { type: "box", width: 1, height: 1 } }, "components.collider.depth must be a finite number"],
    [{ text: { string: 5 } }, "components.text.string must be a string"],
    [{ text: { string: "a", halign: "middle" } }, "components.text.halign must be left|center|right"],
    [{ geometry: { type: "sphere" } }, 'components.geometry.type must be "inline", "asset" or "hardcoded-model"'],
    [{ geometry: { type: "asset" } }, "components.geometry.name must be a string"],
    [
      { geometry: { type: "inline", triangles: [] } },
      "components.geometry.vertices must be an array of 3-number arrays",
    ],
    [
      { geometry: { type: "inline", vertices: [[0, 0]], triangles: [] } },
      "components.geometry.vertices[0] must be 3 finite numbers",
    ],
    [
      { geometry: { type: "inline", vertices: [[0, 0, 0]], uvs: [[0, 0, 0]], triangles: [] } },
      "components.geometry.uvs[0] must be 2 finite numbers",
    ],
    [
      { geometry: { type: "inline", vertices: [[0, 0, 0]], triangles: [[0, 0, 1]] } },
      "components.geometry.triangles[0] must be 3 vertex indices below 1",
    ],
    [
      { geometry: { type: "inline", vertices: [[0, 0, 0]], triangles: [[0, 0, 0.5]] } },
      "components.geometry.triangles[0] must be 3 vertex indices below 1",
    ],
    [{ material: { color: [1, 1, 1] } }, "components.material.color must be 4 finite numbers [r,g,b,a]"],
    [{ material: { shader_name: "toon" } }, 'components.material.shader_name must be "plain" or "pbr"'],
    [{ grabbable: { grabbable: "yes" } }, "components.grabbable.grabbable must be a boolean"],
    [{ grabbable: { actuate_on: 3 } }, 'components.grabbable.actuate_on must be "$parent" or an entity id string'],
    [
      { grabbable: { translation_constraint: [1, 1] } },
      "components.grabbable.translation_constraint must be 3 finite numbers",
    ],
    [
      { grabbable: { target_hand_transform: [1] } },
      "components.grabbable.target_hand_transform must be 16 finite numbers",
    ],
    [
      { intent: { actuate_pose: "foot" } },
      "components.intent.actuate_pose must be one of root|head|torso|hand/left|hand/right",
    ],
    [{ cursor: {} }, "components.cursor.name must be a string"],
    [
      { live_media: { track_id: 1, type: "smell", format: "x", metadata: {} } },
      'components.live_media.type must be "audio" or "video"',
    ],
    [{ clock: { time: "now" } }, "components.clock.time must be a finite number"],
    [{ focus: { type: "mouse" } }, 'components.focus.type must be "key"'],
    [{ ui: {} }, "components.ui.view_id must be a string"],
    [
      { transform: null },
      'components.transform must be a component value, not null (list it under "remove" to remove it)',
    ],
    [{ custom: null }, 'components.custom must be a component value, not null (list it under "remove" to remove it)'],
    [
      { "my custom": null },
      'components["my custom"] must be a component value, not null (list it under "remove" to remove it)',
    ],
    [{ custom: { nested: NaN } }, "components.custom.nested must be a finite number"],
    [{ custom: { f: () => 1 } }, "components.custom.f must be JSON, got function"],
    [{ custom: new Date(0) }, "components.custom must be plain JSON, got an object"],
    [JSON.parse('{"custom":{"__proto__":{}}}'), "components.custom.__proto__ is a forbidden key"],
    [[], "components must be an object of components, got an array"],
    [null, "components must be an object of components, got null"],
  ])("refuses %j: %s", (components, error) => {
    expect(errorOf(validateComponents(components))).toBe(error);
  });
});

describe("component names shared with Object.prototype", () => {
  // Every name an object inherits, plus the three that reach the prototype itself.
  const INHERITED = Object.getOwnPropertyNames(Object.prototype).filter(
    (n) => n !== "__proto__" && n !== "constructor",
  );
  const FORBIDDEN = ["__proto__", "constructor", "prototype"];

  it.each(INHERITED)("accepts %s as a custom component, with any JSON value but null", (name) => {
    for (const value of [{ a: 1 }, 5, "text", [1, 2], true]) {
      const components = JSON.parse(JSON.stringify({ [name]: value }));
      expect(errorOf(validateComponents(components))).toBe("ok");
      expect(errorOf(validateEntitySpec({ ...components, children: [components] }))).toBe("ok");
      expect(validateComponent(name, value, `components.${name}`)).toBeNull();
    }
    expect(errorOf(validateComponents(JSON.parse(`{"${name}": null}`)))).toBe(
      `components.${name} must be a component value, not null (list it under "remove" to remove it)`,
    );
  });

  it.each(FORBIDDEN)("refuses %s as a component name with the same words everywhere", (name) => {
    const json = `{"${name}": {"a": 1}}`;
    expect(errorOf(validateComponents(JSON.parse(json)))).toBe(`components.${name} is a forbidden key`);
    expect(errorOf(validateEntitySpec(JSON.parse(json)))).toBe(`spec.${name} is a forbidden key`);
    expect(errorOf(validateEntitySpec(JSON.parse(`{"children": [${json}]}`)))).toBe(
      `spec.children[0].${name} is a forbidden key`,
    );
    expect(validateComponent(name, { a: 1 }, `components.${name}`)).toBe(`components.${name} is a forbidden key`);
  });
});

describe("validateComponents on values that did not come from JSON.parse", () => {
  it("stops at a cycle with a depth error instead of looping", () => {
    const custom: Record<string, unknown> = {};
    custom.self = custom;
    expect(errorOf(validateComponents({ custom }))).toBe("components.custom nests deeper than 48 levels");
  });

  it("accepts objects without a prototype", () => {
    const custom = Object.assign(Object.create(null), { a: 1 });
    expect(errorOf(validateComponents({ custom }))).toBe("ok");
  });

  it("refuses undefined, NaN and Infinity inside components", () => {
    expect(errorOf(validateComponents({ c: { a: undefined } }))).toBe("components.c.a must be JSON, got undefined");
    expect(errorOf(validateComponents({ c: [1, NaN] }))).toBe("components.c[1] must be a finite number");
    expect(errorOf(validateComponents({ transform: { matrix: [...M.slice(0, 15), Infinity] } }))).toBe(
      "components.transform.matrix[15] must be a finite number",
    );
  });
});

describe("validateEntitySpec", () => {
  const spec = (depth: number): Record<string, unknown> =>
    depth === 1 ? { text: { string: "leaf" } } : { children: [spec(depth - 1)] };

  it("accepts components with nested children, and returns the same object", () => {
    const s = {
      transform: { matrix: M },
      children: [
        { text: { string: "a" } },
        { children: [{ collider: { type: "box", width: 1, height: 1, depth: 1 } }] },
      ],
    };
    const r = validateEntitySpec(s);
    expect(r.ok && r.value).toBe(s);
  });

  it("names the failing child by path", () => {
    expect(errorOf(validateEntitySpec({ children: [{}, { children: [{ transform: { matrix: [] } }] }] }))).toBe(
      "spec.children[1].children[0].transform.matrix must be 16 finite numbers",
    );
    expect(errorOf(validateEntitySpec({ children: {} }))).toBe(
      "spec.children must be an array of entity specs, got an object",
    );
    expect(errorOf(validateEntitySpec({ children: [3] }))).toBe(
      "spec.children[0] must be an object of components, got a number",
    );
    expect(errorOf(validateEntitySpec("spec"))).toBe("spec must be an object of components, got a string");
  });

  it("allows 16 levels of children and refuses 17", () => {
    expect(errorOf(validateEntitySpec(spec(16)))).toBe("ok");
    expect(errorOf(validateEntitySpec(spec(17)))).toMatch(
      /^spec(\.children\[0\]){16} nests children deeper than 16 levels$/,
    );
  });

  it("allows 10,000 entities and refuses 10,001", () => {
    const wide = (n: number) => ({ children: Array.from({ length: n - 1 }, () => ({ cursor: { name: "c" } })) });
    expect(errorOf(validateEntitySpec(wide(10_000)))).toBe("ok");
    expect(errorOf(validateEntitySpec(wide(10_001)))).toBe("spec describes more than 10000 entities");
  });
});
