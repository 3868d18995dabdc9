// The entities as a tree (relationships.parent), each with a short readable label; click one to select it.
import type { Entity, EntityId } from "@allo/protocol";
import { el } from "./dom.ts";

export class EntityTree {
  readonly element = el("ul", { class: "tree", "data-testid": "entity-tree" });
  private selected: EntityId | undefined;

  constructor(private readonly onSelect: (id: EntityId) => void) {
    this.element.addEventListener("click", (e) => {
      const item = (e.target as HTMLElement).closest("[data-entity-id]");
      const id = item?.getAttribute("data-entity-id");
      if (id) this.onSelect(id);
    });
  }

  /** Display names of agents by their avatar id, so an app's root says whose it is. */
  avatarNames = new Map<EntityId, string>();

  render(entities: ReadonlyMap<EntityId, Entity>, ownAvatar: EntityId | undefined): void {
    const children = new Map<EntityId | undefined, Entity[]>();
    for (const entity of entities.values()) {
      const parent = entity.components.relationships?.parent;
      const key = parent && entities.has(parent) ? parent : undefined;
      let list = children.get(key);
      if (!list) children.set(key, (list = []));
      list.push(entity);
    }
    const build = (parent: EntityId | undefined, depth: number): HTMLElement[] =>
      (children.get(parent) ?? [])
        .sort((a, b) => (a.id === "place" ? -1 : b.id === "place" ? 1 : a.id.localeCompare(b.id)))
        .map((entity) => {
          const label = el("span", { class: "label", text: labelOf(entity, ownAvatar, this.avatarNames.get(entity.id)) });
          const id = el("span", { class: "id", text: entity.id });
          const item = el("li", { "data-entity-id": entity.id }, el("div", { class: "row" }, label, id));
          if (entity.id === this.selected) item.classList.add("selected");
          const sub = depth < 32 ? build(entity.id, depth + 1) : [];
          if (sub.length) item.append(el("ul", {}, ...sub));
          return item;
        });
    this.element.replaceChildren(...build(undefined, 0));
  }

  select(id: EntityId | undefined): void {
    this.selected = id;
    for (const node of this.element.querySelectorAll("li.selected")) node.classList.remove("selected");
    if (id) this.element.querySelector(`li[data-entity-id="${CSS.escape(id)}"]`)?.classList.add("selected");
  }
}

export function labelOf(entity: Entity, ownAvatar: EntityId | undefined, agentName?: string): string {
  const c = entity.components;
  if (entity.id === "place") return "place";
  if (c.visor) return `${entity.id === ownAvatar ? "you" : "visor"} "${c.visor.display_name ?? agentName ?? ""}"`;
  if (agentName !== undefined) return `app "${agentName}"`;
  if (c.intent?.actuate_pose) return c.intent.actuate_pose;
  if (c.text && typeof c.text.string === "string") return `text "${truncate(c.text.string, 24)}"`;
  const kind = [c.collider ? "collider" : "", c.grabbable ? "grabbable" : "", c.geometry ? `${c.geometry.type === "hardcoded-model" ? c.geometry.name : c.geometry.type}` : ""]
    .filter(Boolean)
    .join(" ");
  return kind || "entity";
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
