// The avatar is spawned by announce with its children nested (docs/protocol.md §3: "spawned like spawn_entity, children
// included"), but announce answers only the avatar's id. The descendants are found in the client's world mirror,
// which holds them once connect() resolves: each spec node is matched to a child of its parent's entity with the
// same components and the same subtree (identical subtrees are interchangeable, so any match is right).
import { IDENTITY_MATRIX, type EntityId, type Json } from "@allo/protocol";
import type { EntityNode } from "./node.ts";

type Mirror = ReadonlyMap<EntityId, { id: EntityId; components: Record<string, unknown> }>;

/** JSON with sorted keys, so the mirror's key order does not matter. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

// cyrb53: a fast 53-bit string hash; collisions only cost a wrong-but-identical-looking match attempt.
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

function ownHash(components: Record<string, unknown>): string {
  const { relationships: _parent, ...rest } = components;
  if (!rest.transform) rest.transform = { matrix: IDENTITY_MATRIX }; // the place adds one (docs/protocol.md §3)
  return canonical(rest);
}

/**
 * Maps spec nodes (pre-order, with their parent indexes; node 0 is the avatar) to entity ids in the mirror.
 * Returns the ids by index; undefined where no entity matched.
 */
export function matchAnnounced(
  nodes: EntityNode[],
  parentIndex: number[],
  specComponents: Array<Record<string, Json>>,
  avatarId: EntityId,
  mirror: Mirror,
): Array<EntityId | undefined> {
  const childrenOfId = new Map<EntityId, EntityId[]>();
  for (const e of mirror.values()) {
    const parent = (e.components.relationships as { parent?: string } | undefined)?.parent;
    if (parent) childrenOfId.set(parent, [...(childrenOfId.get(parent) ?? []), e.id]);
  }
  const entityHash = new Map<EntityId, string>();
  const hashEntity = (id: EntityId): string => {
    let h = entityHash.get(id);
    if (h === undefined) {
      const kids = (childrenOfId.get(id) ?? []).map(hashEntity).sort();
      h = hash(ownHash(mirror.get(id)!.components) + "|" + kids.join(","));
      entityHash.set(id, h);
    }
    return h;
  };
  const specChildren = nodes.map(() => [] as number[]);
  parentIndex.forEach((p, i) => p >= 0 && specChildren[p].push(i));
  const specHash: string[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const kids = specChildren[i].map((k) => specHash[k]).sort();
    specHash[i] = hash(ownHash(specComponents[i]) + "|" + kids.join(","));
  }

  const ids: Array<EntityId | undefined> = [avatarId];
  for (let i = 0; i < nodes.length; i++) {
    const id = ids[i];
    if (!id) continue;
    const free = new Map<string, EntityId[]>();
    for (const child of childrenOfId.get(id) ?? []) {
      const h = hashEntity(child);
      free.set(h, [...(free.get(h) ?? []), child]);
    }
    for (const k of specChildren[i]) ids[k] = free.get(specHash[k])?.shift();
  }
  return ids;
}
