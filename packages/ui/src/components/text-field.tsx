// TextField: single-line text input. Poke it (or get a `focus` request) to focus; the visor then sends
// `keydown` (backspace, return/enter) and `textinput` interactions (docs/protocol.md §3.3), as alloui's TextField did.
import { createSignal, splitProps, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { Box } from "./box.tsx";
import { Label } from "./label.tsx";
import { palette, type ColorLike } from "../layout/color.ts";

export type TextFieldProps = ViewProps & {
  /** Initial text. */
  value?: string;
  placeholder?: string;
  color?: ColorLike;
  /** Called on each edit with the new and old text; return false to reject the edit. */
  onChange?: (text: string, previous: string) => boolean | void;
  /** Called on return/enter; return true to insert a newline instead. */
  onReturn?: (text: string) => boolean | void;
  onFocusChange?: (focused: boolean) => void;
};

export function TextField(props: TextFieldProps): JSX.Element {
  const [local, rest] = splitProps(props, [
    "value",
    "placeholder",
    "color",
    "onChange",
    "onReturn",
    "onFocusChange",
    "size",
  ]);
  const [text, setText] = createSignal(local.value ?? "");
  const [focused, setFocused] = createSignal(false);
  const size = (): Vec3 => local.size ?? [1, 0.1, 0.05];
  const edit = (next: string) => {
    const previous = text();
    if (next === previous || local.onChange?.(next, previous) === false) return;
    setText(next);
  };
  const focus = (on: boolean) => {
    if (focused() === on) return;
    setFocused(on);
    local.onFocusChange?.(on);
  };
  return (
    <View
      {...rest}
      size={size()}
      pointable
      focus={{ type: "key" }}
      onPoke={(e) => e.pressed && focus(true)}
      onFocus={() => focus(true)}
      onDefocus={() => focus(false)}
      onKeyDown={(e) => {
        const key = String(e.body[1] ?? "");
        if (key === "backspace") edit(text().slice(0, -1));
        else if (key === "return" || key === "enter") {
          if (local.onReturn?.(text()) === true) edit(text() + "\n");
        }
      }}
      onTextInput={(e) => edit(text() + String(e.body[1] ?? ""))}
    >
      <Box size={size()} color={focused() ? palette.lightGray : palette.darkGray} />
      <Label
        text={text() || local.placeholder || ""}
        color={text() ? (local.color ?? palette.dark) : palette.darkBlue}
        halign="left"
        insertionMarker={focused()}
        position={[0, 0, size()[2] / 2 + 0.005]}
        size={[size()[0] * 0.95, size()[1] * 0.7, 0.001]}
      />
    </View>
  );
}
