// Keyboard focus for text fields (docs/protocol.md §3.3): poking an entity with a `focus` component asks it
// for focus (`["focus"]` request); while focused, keys go to it as `["keydown", name]` and typed text as
// `["textinput", text]`; Escape, or clicking elsewhere, sends `["defocus"]`.
import type { EntityId, InteractionBody } from "@allo/protocol";

/** Key names the original text fields understood; anything else goes by its DOM key name, lower-cased. */
const KEY_NAMES: Record<string, string> = {
  Backspace: "backspace",
  Delete: "delete",
  Enter: "return",
  Tab: "tab",
  ArrowLeft: "left",
  ArrowRight: "right",
  ArrowUp: "up",
  ArrowDown: "down",
  Home: "home",
  End: "end",
};

export interface KeyboardLink {
  request(receiver: EntityId, body: InteractionBody): Promise<InteractionBody>;
  send(receiver: EntityId, body: InteractionBody): void;
  onFocusChange(focused: EntityId | undefined): void;
  onProblem(message: string): void;
}

export class KeyboardFocus {
  focused: EntityId | undefined;

  constructor(private readonly link: KeyboardLink) {}

  async focus(id: EntityId): Promise<void> {
    if (this.focused === id) return;
    this.defocus();
    try {
      const answer = await this.link.request(id, ["focus"]);
      if (answer[1] === "denied") {
        this.link.onProblem(`${id} declined keyboard focus`);
        return;
      }
      this.focused = id;
      this.link.onFocusChange(id);
    } catch (error) {
      this.link.onProblem(`focus on ${id} failed: ${(error as Error).message}`);
    }
  }

  defocus(): void {
    if (!this.focused) return;
    const id = this.focused;
    this.focused = undefined;
    this.link.send(id, ["defocus"]);
    this.link.onFocusChange(undefined);
  }

  /** The app took focus away (it sent us `["defocus"]`). */
  lost(id: EntityId): void {
    if (this.focused !== id) return;
    this.focused = undefined;
    this.link.onFocusChange(undefined);
  }

  /** Text typed elsewhere than on the desktop keyboard (the in-world keyboard): `textinput` to the focused entity. */
  typeText(text: string): void {
    if (this.focused) this.link.send(this.focused, ["textinput", text]);
  }

  /** A named key ("backspace", "return"…) from elsewhere than the desktop keyboard: `keydown`. */
  pressKey(name: string): void {
    if (this.focused) this.link.send(this.focused, ["keydown", name]);
  }

  /** Returns true when the key went to the focused entity (so it must not also walk). */
  keyDown(event: KeyboardEvent): boolean {
    const id = this.focused;
    if (!id) return false;
    if (event.key === "Escape") {
      this.defocus();
      return true;
    }
    if (event.ctrlKey || event.metaKey) return false; // leave browser shortcuts alone
    if (event.key.length === 1 && !event.altKey) {
      this.link.send(id, ["textinput", event.key]);
      return true;
    }
    this.link.send(id, ["keydown", KEY_NAMES[event.key] ?? event.key.toLowerCase()]);
    return true;
  }
}
