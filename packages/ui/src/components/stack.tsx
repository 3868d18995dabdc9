// Stack: lays its children out in a column (vertical) or row (horizontal), centred, `spacing` apart.
// Child sizes come from their `size` (transform.size); children without one count as `itemSize`.
import {
  children as resolveChildren,
  createMemo,
  createSignal,
  For,
  splitProps,
  type Accessor,
  type JSX,
} from "solid-js";
import type { TransformComponent, Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { EntityNode } from "../node.ts";

export type StackProps = ViewProps & {
  direction?: "vertical" | "horizontal";
  /** Gap between items in metres (default 0.05). */
  spacing?: number;
  /** Size assumed for children that do not declare one. */
  itemSize?: Vec3;
};

const sizes = new WeakMap<EntityNode, Accessor<Vec3 | undefined>>();
const declaredSize = (node: EntityNode) =>
  (node.components.transform as unknown as TransformComponent | undefined)?.size;

/** The size a child declared (its transform.size), or the fallback. Tracked: a layout re-runs when it changes. */
export function sizeOf(node: EntityNode, fallback: Vec3): Vec3 {
  let size = sizes.get(node);
  if (!size) {
    const [get, set] = createSignal(declaredSize(node), { equals: (a, b) => a?.join() === b?.join() });
    node.watch((name) => name === "transform" && set(declaredSize(node)));
    sizes.set(node, (size = get));
  }
  return size() ?? fallback;
}

export function entityChildren(accessor: () => JSX.Element): () => EntityNode[] {
  const resolved = resolveChildren(accessor);
  return createMemo(() => (resolved.toArray() as unknown[]).filter((n): n is EntityNode => n instanceof EntityNode));
}

export function Stack(props: StackProps): JSX.Element {
  const [local, rest] = splitProps(props, ["direction", "spacing", "itemSize", "children"]);
  const items = entityChildren(() => local.children);
  const offsets = createMemo(() => {
    const vertical = (local.direction ?? "vertical") === "vertical";
    const spacing = local.spacing ?? 0.05;
    const fallback = local.itemSize ?? [0.1, 0.1, 0.01];
    const lengths = items().map((n) => sizeOf(n, fallback)[vertical ? 1 : 0]);
    const total = lengths.reduce((a, b) => a + b, 0) + spacing * Math.max(0, lengths.length - 1);
    let at = vertical ? total / 2 : -total / 2;
    const map = new Map<EntityNode, Vec3>();
    items().forEach((node, i) => {
      const centre = vertical ? at - lengths[i] / 2 : at + lengths[i] / 2;
      map.set(node, vertical ? [0, centre, 0] : [centre, 0, 0]);
      at = vertical ? at - lengths[i] - spacing : at + lengths[i] + spacing;
    });
    return map;
  });
  return (
    <View {...rest}>
      <For each={items()}>{(node) => <View position={offsets().get(node)}>{node as unknown as JSX.Element}</View>}</For>
    </View>
  );
}
