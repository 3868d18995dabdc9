// AssetRefs in <entity> props: where a component names an asset (material.texture, geometry.name, sound_effect.asset,
// or a whole component value), the ref becomes its id in what is sent, and the entity uses the asset (it stays
// published) until the prop changes or the entity's owner is disposed (it unmounts).
// Solid runs all of an element's spread props in one effect, so an effect's cleanup is not a prop's lifetime: the
// node's owner (where it was created) is.
import { onCleanup, runWithOwner, useContext } from "solid-js";
import { AssetRef } from "./asset.ts";
import { AppContext } from "./context.ts";
import type { AppAssets } from "./asset-publishing.ts";
import type { EntityNode } from "./node.ts";

/** Where, inside a component's value, an asset id sits. */
const assetKeyOf = (name: string) =>
  name === "material" ? "texture" : name === "geometry" ? "name" : name === "sound_effect" ? "asset" : undefined;
/** Components whose value is never an asset id as a whole (custom ones may be). */
const NEVER_AN_ASSET = new Set([
  "transform",
  "text",
  "collider",
  "grabbable",
  "cursor",
  "relationships",
  "intent",
  "visor",
  "ui",
  "focus",
]);

export interface AssetUses {
  app: AppAssets;
  byComponent: Map<string, AssetRef>;
}

/** The value to store for component `name` of `node`, refs replaced by ids; starts and ends the node's uses. */
export function assetIdsIn(node: EntityNode, name: string, value: unknown): unknown {
  // Every prop write passes here: a plain value leaves after a few comparisons (a few ns), allocating nothing.
  const key = assetKeyOf(name);
  if (key !== undefined) {
    const inner = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof inner === "object" && inner instanceof AssetRef)
      return use(node, name, inner, { ...(value as Record<string, unknown>), [key]: inner.id });
  } else if (typeof value === "object" && value !== null && !NEVER_AN_ASSET.has(name) && value instanceof AssetRef) {
    return use(node, name, value, value.id);
  }
  return node.assetUses === undefined ? value : use(node, name, undefined, value);
}

function use(node: EntityNode, name: string, ref: AssetRef | undefined, out: unknown): unknown {
  const previous = node.assetUses?.byComponent.get(name);
  if (ref?.id === previous?.id) return out;
  const uses = node.assetUses ?? (node.assetUses = startUses(node));
  // The new use first: a ref moving between components of one node is never unpublished in between.
  if (ref) {
    uses.app.retain(ref);
    uses.byComponent.set(name, ref);
  } else uses.byComponent.delete(name);
  if (previous) uses.app.release(previous);
  return out;
}

function startUses(node: EntityNode): AssetUses {
  const owner = node.owner;
  const app = owner ? runWithOwner(owner, () => useContext(AppContext)) : undefined;
  if (!owner || !app)
    throw new Error(
      `${node}: an asset() value in its props needs the entity to be created inside an app (render() or runApp())`,
    );
  const uses: AssetUses = { app: app.assets, byComponent: new Map() };
  runWithOwner(owner, () =>
    onCleanup(() => {
      node.assetUses = undefined;
      for (const ref of uses.byComponent.values()) uses.app.release(ref);
    }),
  );
  return uses;
}
