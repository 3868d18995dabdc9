// Walking the EntityNode tree for the sync: spawn specs under a byte budget, connection, detached subtrees.
import type { EntitySpec } from "@allo/protocol";
import { EntityNode, type RootNode } from "./node.ts";

/**
 * The spawn spec of a detached subtree, depth-first pre-order like the place's descendant ids (docs/protocol.md §3).
 * Keeps the message under `budget` bytes (the place closes on frames over 1 MiB, docs/protocol.md §1): a child subtree
 * that does not fit whole is left out; it spawns in the next flush as its own message, under its then-live parent.
 */
export function specOf(
  node: EntityNode,
  included: EntityNode[],
  parentIndex: number[],
  parent: number,
  budget: { bytes: number },
  sizes: SizeCache = { own: new Map(), subtree: new Map() },
): EntitySpec {
  const index = included.length;
  included.push(node);
  parentIndex.push(parent);
  const spec = { ...node.components } as EntitySpec;
  budget.bytes -= ownBytes(node, sizes);
  const children: EntitySpec[] = [];
  for (const child of node.childEntities()) {
    if (child.state !== "detached" || subtreeBytes(child, sizes) > budget.bytes) continue;
    children.push(specOf(child, included, parentIndex, index, budget, sizes));
  }
  if (children.length) spec.children = children;
  return spec;
}

export function connectSubtree(node: EntityNode, sync: EntityNode["sync"]): void {
  forEachEntity(node, (n) => {
    n.sync = sync;
  });
}

export function disconnectSubtree(node: EntityNode): void {
  forEachEntity(node, (n) => {
    n.sync = null;
  });
}

export function forEachEntity(node: EntityNode, visit: (node: EntityNode) => void): void {
  visit(node);
  for (const child of node.childEntities()) forEachEntity(child, visit);
}

export function someEntity(node: EntityNode, test: (node: EntityNode) => boolean): boolean {
  if (test(node)) return true;
  for (const child of node.childEntities()) if (someEntity(child, test)) return true;
  return false;
}

export function isConnected(node: EntityNode, root: RootNode): boolean {
  let p = node.parent;
  while (p instanceof EntityNode) p = p.parent;
  return p === root;
}

interface SizeCache {
  own: Map<EntityNode, number>;
  subtree: Map<EntityNode, number>;
}

function ownBytes(node: EntityNode, sizes: SizeCache): number {
  let bytes = sizes.own.get(node);
  if (bytes === undefined) sizes.own.set(node, (bytes = JSON.stringify(node.components).length + 16));
  return bytes;
}

/** Bytes of the detached part of a subtree in a spawn message (cached for one spec). */
function subtreeBytes(node: EntityNode, sizes: SizeCache): number {
  let bytes = sizes.subtree.get(node);
  if (bytes === undefined) {
    bytes = ownBytes(node, sizes);
    for (const child of node.childEntities()) if (child.state === "detached") bytes += subtreeBytes(child, sizes);
    sizes.subtree.set(node, bytes);
  }
  return bytes;
}

export function hasDetached(node: EntityNode): boolean {
  for (const child of node.childEntities()) if (child.state === "detached" || hasDetached(child)) return true;
  return false;
}

/** The top-most detached entities in a subtree (the node itself if it is detached). */
export function detachedTops(node: EntityNode, tops: EntityNode[] = []): EntityNode[] {
  if (node.state === "detached") tops.push(node);
  else for (const child of node.childEntities()) detachedTops(child, tops);
  return tops;
}
