// The selected entity's components, live: redrawn whenever the place changes them.
import type { Entity } from "@allo/protocol";
import { el } from "./dom.ts";

export class ComponentsView {
  readonly element = el("div", { class: "components", "data-testid": "components" });

  render(entity: Entity | undefined, selectedId: string | undefined): void {
    if (!selectedId) {
      this.element.replaceChildren(
        el("p", { class: "hint", text: "Select an entity in the tree (or shift-click it)." }),
      );
      return;
    }
    if (!entity) {
      this.element.replaceChildren(el("p", { class: "hint", text: `${selectedId} is gone.` }));
      return;
    }
    const names = Object.keys(entity.components).sort();
    this.element.replaceChildren(
      el("h3", { text: entity.id }),
      ...names.map((name) =>
        el(
          "details",
          { open: "", "data-component": name },
          el("summary", { text: name }),
          el("pre", { text: JSON.stringify(entity.components[name], compactNumbers, 1) }),
        ),
      ),
    );
  }
}

function compactNumbers(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isInteger(value) ? Math.round(value * 10000) / 10000 : value;
}
