// Button: pokeable; onActivated fires when a poke is released while the hand still points at it (a point-exit
// before release cancels). Highlighted while pointed at (colour × 0.8), pressed while poked (× 0.6).
import { createSignal, splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { Box } from "./box.tsx";
import { Label } from "./label.tsx";
import { palette, rgba, shade, type ColorLike } from "../layout/color.ts";
import type { AlloEvent, PokeEvent } from "../events.ts";
import { shake } from "../animate.ts";
import type { AssetRef } from "../asset.ts";

export type ButtonProps = ViewProps & {
  label?: string;
  color?: ColorLike;
  labelColor?: ColorLike;
  /** An image on its face: an asset id or an asset() ref. */
  texture?: string | AssetRef;
  /** Called on a completed press. Throwing answers the poke with failed and shakes the button. */
  onActivated?: (event: PokeEvent) => unknown;
};

/** Who points at and presses a pokeable thing, per hand (several users at once). */
export function createPressState() {
  const pointing = new Set<string>();
  const pressing = new Set<string>();
  const [highlighted, setHighlighted] = createSignal(false);
  const [pressed, setPressed] = createSignal(false);
  const update = () => {
    setHighlighted(pointing.size > 0);
    setPressed(pressing.size > 0);
  };
  return {
    highlighted,
    pressed,
    point(e: AlloEvent) {
      pointing.add(e.senderId);
      update();
    },
    exit(e: AlloEvent) {
      pointing.delete(e.senderId);
      pressing.delete(e.senderId);
      update();
    },
    /** Returns true when this poke completes a press (release after press, no exit in between). */
    poke(e: PokeEvent): boolean {
      if (e.pressed) {
        pressing.add(e.senderId);
        update();
        return false;
      }
      const completes = pressing.delete(e.senderId);
      update();
      return completes;
    },
  };
}

export function Button(props: ButtonProps): JSX.Element {
  const [local, rest] = splitProps(props, [
    "label",
    "color",
    "labelColor",
    "texture",
    "onActivated",
    "size",
    "children",
  ]);
  const state = createPressState();
  const size = (): Vec3 => local.size ?? [0.5, 0.25, 0.1];
  const color = () => {
    const base = local.texture ? rgba([1, 1, 1, 1]) : rgba(local.color ?? palette.darkPink);
    return state.pressed() ? shade(base, 0.6) : state.highlighted() ? shade(base, 0.8) : base;
  };
  return (
    <View
      {...rest}
      size={size()}
      pointable
      onPoint={(e) => state.point(e)}
      onPointExit={(e) => state.exit(e)}
      onPoke={(e) => {
        if (!state.poke(e)) return;
        // Synchronous unless onActivated returns a promise: the answer must go out before a flush that may
        // remove this very button (a NavStack's back button), or the place drops it.
        const failed = (error: unknown): never => {
          void shake(e.currentTarget).catch(() => undefined); // failure feedback (alloui's StandardAnimations)
          throw error;
        };
        try {
          const result = local.onActivated?.(e);
          return result instanceof Promise ? result.catch(failed) : result;
        } catch (error) {
          return failed(error);
        }
      }}
    >
      <Box size={size()} color={color()} texture={local.texture} />
      {local.label !== undefined && (
        <Label
          text={local.label}
          color={local.labelColor}
          position={[0, 0, size()[2] / 2 + 0.008]}
          size={[size()[0] * 0.9, size()[1] * 0.6, 0.001]}
        />
      )}
      {local.children}
    </View>
  );
}
