// Grid: flows children into rows of `columns` cells of `cellSize`, left to right, top to bottom, centred.
import { createMemo, For, splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { entityChildren, sizeOf } from "./stack.tsx";
import type { EntityNode } from "../node.ts";

export type GridProps = ViewProps & {
  /** Items per row (default: as many as fit the grid's width, at least 1). */
  columns?: number;
  /** Cell size (default: the first child's size). */
  cellSize?: Vec3;
  spacing?: number;
};

export function Grid(props: GridProps): JSX.Element {
  const [local, rest] = splitProps(props, ["columns", "cellSize", "spacing", "children"]);
  const items = entityChildren(() => local.children);
  const positions = createMemo(() => {
    const list = items();
    const spacing = local.spacing ?? 0.02;
    const cell = local.cellSize ?? (list[0] ? sizeOf(list[0], [0.1, 0.1, 0.01]) : [0.1, 0.1, 0.01]);
    const width = props.size?.[0];
    const columns = Math.max(
      1,
      Math.floor(
        local.columns ?? (width ? (width + spacing) / (cell[0] + spacing) : Math.ceil(Math.sqrt(list.length))),
      ),
    );
    const rows = Math.ceil(list.length / columns);
    const map = new Map<EntityNode, Vec3>();
    list.forEach((node, i) => {
      const col = i % columns;
      const row = Math.floor(i / columns);
      map.set(node, [(col - (columns - 1) / 2) * (cell[0] + spacing), ((rows - 1) / 2 - row) * (cell[1] + spacing), 0]);
    });
    return map;
  });
  return (
    <View {...rest}>
      <For each={items()}>
        {(node) => <View position={positions().get(node)}>{node as unknown as JSX.Element}</View>}
      </For>
    </View>
  );
}
