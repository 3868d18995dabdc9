// The in-world keyboard: opened when a text field takes focus (or the menu's URL field is edited); its keys go to a
// target the way the desktop keyboard's do — characters as `textinput`, named keys as `keydown` (input/keyboard.ts).
import { CanvasPanel, type CanvasButton } from "./canvas-ui.ts";

export interface KeyTarget {
  /** Shown above the keys: what is being typed into. */
  readonly title: string;
  type(text: string): void;
  /** A named key as the desktop keyboard names it: "backspace", "return". */
  key(name: string): void;
  /** The keyboard was closed by its Done key. */
  done(): void;
}

const ROWS = ["1234567890", "qwertyuiop", "asdfghjkl-", "zxcvbnm.:/"];
const KEY = 84;
const GAP = 8;
const TOP = 70;

export class WorldKeyboard {
  readonly panel = new CanvasPanel(
    ROWS[0].length * (KEY + GAP) + GAP + 16,
    TOP + 5 * (KEY + GAP) + 16,
    "allo-xr-keyboard",
  );
  private target: KeyTarget | undefined;
  private shift = false;

  constructor() {
    this.layout();
  }

  get open(): boolean {
    return this.panel.visible;
  }

  get targetTitle(): string | undefined {
    return this.target?.title;
  }

  show(target: KeyTarget): void {
    this.target = target;
    this.panel.lines = [target.title];
    this.panel.mesh.visible = true;
    this.panel.changed();
  }

  /** Close without telling the target (it went away by itself). */
  hide(): void {
    this.target = undefined;
    this.panel.mesh.visible = false;
  }

  press(button: CanvasButton): void {
    const target = this.target;
    if (!target) return;
    switch (button.id) {
      case "shift":
        this.shift = !this.shift;
        this.layout();
        return;
      case "space":
        return target.type(" ");
      case "backspace":
      case "return":
        return target.key(button.id);
      case "done":
        this.hide();
        return target.done();
      default:
        target.type(button.label);
        if (this.shift) {
          this.shift = false;
          this.layout();
        }
    }
  }

  private layout(): void {
    const buttons: CanvasButton[] = [];
    ROWS.forEach((row, r) => {
      [...row].forEach((ch, c) => {
        const label = this.shift ? ch.toUpperCase() : ch;
        buttons.push({
          id: `key:${ch}`,
          label,
          x: 8 + r * 12 + c * (KEY + GAP),
          y: TOP + r * (KEY + GAP),
          w: KEY,
          h: KEY,
        });
      });
    });
    const y = TOP + 4 * (KEY + GAP);
    const wide = (id: string, label: string, x: number, keys: number): CanvasButton => ({
      id,
      label,
      x,
      y,
      w: keys * (KEY + GAP) - GAP,
      h: KEY,
      active: id === "shift" && this.shift,
    });
    buttons.push(
      wide("shift", "⇧", 8, 1.5),
      wide("space", "space", 8 + 1.5 * (KEY + GAP), 4),
      wide("backspace", "⌫", 8 + 5.5 * (KEY + GAP), 1.5),
      wide("return", "↵", 8 + 7 * (KEY + GAP), 1.5),
      wide("done", "Done", 8 + 8.5 * (KEY + GAP), 1.5),
    );
    this.panel.buttons = buttons;
    this.panel.changed();
  }
}
