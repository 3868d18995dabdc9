// The in-world menu (the controller's menu button: B or Y): launch an app by alloapp: URL (typed on the in-world
// keyboard), the comfort settings, and leaving VR. The same launch as the desktop panel's.
import { CanvasPanel, type CanvasButton } from "./canvas-ui.ts";
import type { Comfort } from "./locomotion.ts";
import type { KeyTarget, WorldKeyboard } from "./world-keyboard.ts";

export interface MenuHandlers {
  launch(url: string): Promise<string>;
  leave(): void;
}

export class WorldMenu {
  readonly panel = new CanvasPanel(760, 470, "allo-xr-menu");
  url = "alloapp:";
  private result = "";

  constructor(
    private readonly comfort: Comfort,
    private readonly keyboard: WorldKeyboard,
    private readonly handlers: MenuHandlers,
  ) {
    this.layout();
  }

  get open(): boolean {
    return this.panel.visible;
  }

  toggle(): void {
    this.panel.mesh.visible = !this.panel.visible;
    if (!this.panel.visible && this.keyboard.targetTitle === URL_TITLE) this.keyboard.hide();
    this.panel.changed();
  }

  press(button: CanvasButton): void {
    switch (button.id) {
      case "url":
        this.keyboard.show(this.urlTarget());
        break;
      case "launch":
        this.launch();
        break;
      case "turn":
        this.comfort.turn = this.comfort.turn === "snap" ? "smooth" : "snap";
        break;
      case "speed":
        this.comfort.speed = this.comfort.speed >= 1 ? 0.5 : 1;
        break;
      case "leave":
        this.handlers.leave();
        break;
    }
    this.layout();
  }

  private launch(): void {
    const url = this.url.trim();
    if (!/^alloapp:\S+/.test(url)) {
      this.setResult("type an alloapp: URL first");
      return;
    }
    this.setResult(`launching ${url}…`);
    this.handlers.launch(url).then(
      (message) => this.setResult(message),
      (error: Error) => this.setResult(`launch failed: ${error.message}`),
    );
  }

  private setResult(text: string): void {
    this.result = text;
    this.layout();
  }

  private urlTarget(): KeyTarget {
    return {
      title: URL_TITLE,
      type: (text) => {
        this.url += text;
        this.layout();
      },
      key: (name) => {
        if (name === "backspace") this.url = this.url.slice(0, -1);
        if (name === "return") this.launch();
        this.layout();
      },
      done: () => this.layout(),
    };
  }

  private layout(): void {
    const c = this.comfort;
    this.panel.lines = ["Allo", this.result];
    const row = (y: number, ...buttons: [string, string, number, number][]) =>
      buttons.map(([id, label, x, w]): CanvasButton => ({ id, label, x, y, w, h: 70 }));
    this.panel.buttons = [
      ...row(110, ["url", this.url || "alloapp:", 24, 520], ["launch", "Launch", 560, 176]),
      ...row(
        200,
        ["turn", c.turn === "snap" ? `Turn: snap ${c.snapDegrees}°` : "Turn: smooth", 24, 350],
        ["speed", c.speed >= 1 ? "Speed: normal" : "Speed: slow", 386, 350],
      ),
      ...row(290, ["leave", "Leave VR", 24, 712]),
    ];
    this.panel.changed();
  }
}

const URL_TITLE = "App URL";
