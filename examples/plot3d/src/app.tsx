// A walk-in 3D bar chart (allo-3dplot): one box per month and year from a bundled CSV, coloured by year,
// axis labels, a legend plaque, and a GrabHandle that moves the whole plot.
import { For, createMemo } from "solid-js";
import { Box, GrabHandle, Label, Pose, Surface, View, palette, isMain, runApp, type Rgba } from "@allo/ui";
import { loadRows, type Row } from "./data.ts";

const CELL = 0.06;
const BAR = 0.05;
const MAX_HEIGHT = 0.8;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Blue for the first year, pink for the last. */
export function yearColor(t: number): Rgba {
  const [a, b] = [palette.darkBlue, palette.darkPink];
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t, 1];
}

export function App(props: { rows?: Row[] }) {
  const rows = props.rows ?? loadRows();
  const years = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b);
  const min = Math.min(...rows.map((r) => r.value));
  const max = Math.max(...rows.map((r) => r.value));
  const width = 12 * CELL;
  const depth = years.length * CELL;
  const bars = createMemo(() =>
    rows.map((r) => {
      const height = 0.01 + ((r.value - min) / (max - min || 1)) * MAX_HEIGHT;
      const yi = years.indexOf(r.year);
      return {
        key: `${r.year}-${r.month}`,
        height,
        position: [(r.month - 6.5) * CELL, height / 2, (yi - (years.length - 1) / 2) * CELL] as [
          number,
          number,
          number,
        ],
        color: yearColor(yi / Math.max(1, years.length - 1)),
      };
    }),
  );
  return (
    <View pose={Pose.at(0, 0.6, -2.5)}>
      <View>
        <Surface
          pose={Pose.identity.rotate(-Math.PI / 2, [1, 0, 0])}
          size={[width + 0.1, depth + 0.1, 0.01]}
          color={palette.dark}
        />
        <For each={bars()}>
          {(bar) => <Box position={bar.position} size={[BAR, bar.height, BAR]} color={bar.color} />}
        </For>
        <For each={MONTHS}>
          {(name, i) => (
            <Label text={name} position={[(i() + 1 - 6.5) * CELL, 0.02, depth / 2 + 0.06]} size={[CELL, 0.03, 0.01]} />
          )}
        </For>
        <For each={years.filter((y) => y % 5 === 0)}>
          {(year) => (
            <Label
              text={String(year)}
              pose={Pose.at(width / 2 + 0.08, 0.02, (years.indexOf(year) - (years.length - 1) / 2) * CELL)}
              size={[0.1, 0.03, 0.01]}
            />
          )}
        </For>
      </View>
      <Surface position={[0, MAX_HEIGHT + 0.25, -depth / 2]} size={[0.9, 0.22, 0.01]} color={palette.dark}>
        <Label
          text="Monthly mean temperature, 1995–2024 (synthetic)"
          position={[0, 0.05, 0.01]}
          size={[0.85, 0.05, 0.01]}
        />
        <Label
          text={`${min.toFixed(1)} °C`}
          position={[-0.3, -0.05, 0.01]}
          size={[0.2, 0.04, 0.01]}
          color={yearColor(0)}
        />
        <Label
          text={`${max.toFixed(1)} °C`}
          position={[0.3, -0.05, 0.01]}
          size={[0.2, 0.04, 0.01]}
          color={yearColor(1)}
        />
      </Surface>
      <GrabHandle position={[0, 0.01, depth / 2 + 0.15]} size={[0.5, 0.04, 0.04]} />
    </View>
  );
}

if (isMain(import.meta.url)) void runApp(App);
