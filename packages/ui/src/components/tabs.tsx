// Tabs: a row of tab buttons along the top and the selected tab's content below; other tabs are despawned.
import { createSignal, For, Show, splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { Button } from "./button.tsx";
import { palette, type ColorLike } from "../layout/color.ts";

export interface Tab {
  name: string;
  content: () => JSX.Element;
}

export type TabsProps = ViewProps & {
  tabs: Tab[];
  initialIndex?: number;
  onTabChanged?: (index: number) => void;
  activeColor?: ColorLike;
  inactiveColor?: ColorLike;
};

export function Tabs(props: TabsProps): JSX.Element {
  const [local, rest] = splitProps(props, [
    "tabs",
    "initialIndex",
    "onTabChanged",
    "activeColor",
    "inactiveColor",
    "size",
  ]);
  const [index, setIndex] = createSignal(local.initialIndex ?? 0);
  const size = (): Vec3 => local.size ?? [1, 1, 0.01];
  const barHeight = () => Math.min(0.1, size()[1] / 10);
  const tabWidth = () => size()[0] / Math.max(1, local.tabs.length);
  const select = (i: number) => {
    if (i === index()) return;
    setIndex(i);
    local.onTabChanged?.(i);
  };
  return (
    <View {...rest} size={size()}>
      <For each={local.tabs}>
        {(tab, i) => (
          <Button
            label={tab.name}
            size={[tabWidth() * 0.95, barHeight(), 0.02]}
            position={[-size()[0] / 2 + tabWidth() * (i() + 0.5), size()[1] / 2 - barHeight() / 2, 0]}
            color={
              i() === index() ? (local.activeColor ?? palette.darkPink) : (local.inactiveColor ?? palette.darkGray)
            }
            onActivated={() => select(i())}
          />
        )}
      </For>
      <Show when={local.tabs[index()]} keyed>
        {(tab) => <View position={[0, -barHeight() / 2, 0]}>{tab.content()}</View>}
      </Show>
    </View>
  );
}
