// The benchmark world (lib/world.ts) as @colyseus/schema v5 state, to encode side by side with Allo's JSON in the
// same process (docs/performance.md, "Allo next to Colyseus"). Numbers are float64 (full precision, like JSON)
// or float32.
import { ArraySchema, Decoder, Encoder, schema, t } from "@colyseus/schema";
import type { Entity } from "@allo/protocol";

function types(num: "float64" | "float32") {
  const Transform = schema({ matrix: t.array(num) }, `Transform_${num}`);
  const Relationships = schema({ parent: t.string() }, `Relationships_${num}`);
  const Geometry = schema({ type: t.string(), name: t.string() }, `Geometry_${num}`);
  const Material = schema(
    {
      color: t.array(num),
      roughness: num === "float64" ? t.float64() : t.float32(),
      metalness: num === "float64" ? t.float64() : t.float32(),
      shader_name: t.string(),
    },
    `Material_${num}`,
  );
  const size = () => (num === "float64" ? t.float64() : t.float32());
  const Collider = schema({ type: t.string(), width: size(), height: size(), depth: size() }, `Collider_${num}`);
  const Grabbable = schema(
    { grabbable: t.boolean(), translation_constraint: t.array(num), rotation_constraint: t.array(num) },
    `Grabbable_${num}`,
  );
  const CyEntity = schema(
    {
      id: t.string(),
      transform: Transform,
      relationships: Relationships,
      geometry: Geometry,
      material: Material,
      collider: Collider,
      grabbable: Grabbable,
    },
    `Entity_${num}`,
  );
  const State = schema({ entities: t.map(CyEntity), revision: t.float64() }, `State_${num}`);
  return { Transform, Relationships, Geometry, Material, Collider, Grabbable, CyEntity, State };
}

// The default 8 KB encode buffer overflows (and warns) on a 10k-entity world.
Encoder.BUFFER_SIZE = 64 * 1024 * 1024;

const TYPES = { float64: types("float64"), float32: types("float32") };
export type Precision = keyof typeof TYPES;

function toSchema(T: (typeof TYPES)[Precision], e: Entity): any {
  const c = e.components as any;
  const ce = new T.CyEntity() as any;
  ce.id = e.id;
  const tr = new T.Transform() as any;
  tr.matrix = new ArraySchema<number>(...c.transform.matrix);
  ce.transform = tr;
  if (c.relationships) {
    const r = new T.Relationships() as any;
    r.parent = c.relationships.parent;
    ce.relationships = r;
  }
  const g = new T.Geometry() as any;
  Object.assign(g, { type: c.geometry.type, name: c.geometry.name });
  ce.geometry = g;
  const m = new T.Material() as any;
  m.color = new ArraySchema<number>(...c.material.color);
  Object.assign(m, {
    roughness: c.material.roughness,
    metalness: c.material.metalness,
    shader_name: c.material.shader_name,
  });
  ce.material = m;
  const col = new T.Collider() as any;
  Object.assign(col, {
    type: c.collider.type,
    width: c.collider.width,
    height: c.collider.height,
    depth: c.collider.depth,
  });
  ce.collider = col;
  const gr = new T.Grabbable() as any;
  gr.grabbable = true;
  gr.translation_constraint = new ArraySchema<number>(...c.grabbable.translation_constraint);
  gr.rotation_constraint = new ArraySchema<number>(...c.grabbable.rotation_constraint);
  ce.grabbable = gr;
  return ce;
}

export interface ColyseusWorld {
  state: any;
  encoder: Encoder;
  /** Builds a fresh decoder state for a joiner. */
  newDecoder(): Decoder;
  /** Sets the 16 matrix numbers of an entity, element by element (what a Colyseus room would do). */
  setMatrix(id: string, matrix: number[]): void;
}

export function colyseusWorld(world: Map<string, Entity>, precision: Precision): ColyseusWorld {
  const T = TYPES[precision];
  const state = new T.State() as any;
  const encoder = new Encoder(state);
  for (const e of world.values()) state.entities.set(e.id, toSchema(T, e));
  state.revision = 1;
  return {
    state,
    encoder,
    newDecoder: () => new Decoder(new T.State() as any),
    setMatrix(id, matrix) {
      const arr = state.entities.get(id).transform.matrix;
      for (let i = 0; i < 16; i++) arr[i] = matrix[i];
    },
  };
}

/** Copies an encoder output: encode()/encodeAll() return a view of a buffer the next call overwrites. */
export function copyBytes(view: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(view);
}
