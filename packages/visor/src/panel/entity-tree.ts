// The entities as a tree (relationships.parent), each with a short readable label; click one to select it.
// Kept up to date entity by entity: an added, removed or relabelled entity touches its own row, not the whole tree,
// so a thousand entities cost nothing while they sit still.
import { PLACE_ENTITY_ID, type Entity, type EntityId } from "@allo/protocol";
import { el } from "./dom.ts";

interface Item {
  readonly li: HTMLLIElement;
  readonly label: HTMLSpanElement;
  /** Its children's list, made when the first child arrives. */
  children?: HTMLUListElement;
  /** The entity it is listed under (undefined: at the top). */
  parent?: EntityId;
  /** The parent it names but that is not listed (yet): it waits at the top. */
  awaited?: EntityId;
}

export class EntityTree {
  readonly element = el("ul", { class: "tree", "data-testid": "entity-tree" });
  private selected: EntityId | undefined;
  private readonly items = new Map<EntityId, Item>();
  /** Entities listed at the top because their parent is not listed (yet), by that parent. */
  private readonly waiting = new Map<EntityId, Set<EntityId>>();

  constructor(private readonly onSelect: (id: EntityId) => void) {
    this.element.addEventListener("click", (e) => {
      const item = (e.target as HTMLElement).closest("[data-entity-id]");
      const id = item?.getAttribute("data-entity-id");
      if (id) this.onSelect(id);
    });
  }

  /** Display names of agents by their avatar id, so an app's root says whose it is. */
  avatarNames = new Map<EntityId, string>();

  /** Lists every entity again from scratch (a new session). */
  rebuild(entities: ReadonlyMap<EntityId, Entity>, ownAvatar: EntityId | undefined): void {
    this.items.clear();
    this.waiting.clear();
    this.element.replaceChildren();
    for (const id of entities.keys()) this.update(id, entities, ownAvatar);
  }

  /** Brings one entity's row up to date: added, removed, moved under another parent, or relabelled. */
  update(id: EntityId, entities: ReadonlyMap<EntityId, Entity>, ownAvatar: EntityId | undefined): void {
    const entity = entities.get(id);
    if (!entity) return this.remove(id, entities);
    let item = this.items.get(id);
    if (!item) {
      const label = el("span", { class: "label" });
      const li = el(
        "li",
        { "data-entity-id": id },
        el("div", { class: "row" }, label, el("span", { class: "id", text: id })),
      );
      if (id === this.selected) li.classList.add("selected");
      item = { li, label };
      this.items.set(id, item);
    }
    const text = labelOf(entity, ownAvatar, this.avatarNames.get(id));
    if (item.label.textContent !== text) item.label.textContent = text;
    this.placeUnder(id, item, entity.components.relationships?.parent);
    // entities that arrived before this one, their parent, move under it
    const children = this.waiting.get(id);
    if (!children) return;
    this.waiting.delete(id);
    for (const childId of children) {
      const child = this.items.get(childId);
      if (child && entities.get(childId)?.components.relationships?.parent === id) this.placeUnder(childId, child, id);
    }
  }

  select(id: EntityId | undefined): void {
    if (this.selected) this.items.get(this.selected)?.li.classList.remove("selected");
    this.selected = id;
    if (id) this.items.get(id)?.li.classList.add("selected");
  }

  private remove(id: EntityId, entities: ReadonlyMap<EntityId, Entity>): void {
    const item = this.items.get(id);
    if (!item) return;
    this.items.delete(id);
    this.stopWaiting(id, item);
    item.li.remove();
    // children still in the world wait at the top until their parent comes back
    for (const child of item.children ? [...item.children.children] : []) {
      const childId = child.getAttribute("data-entity-id");
      const childItem = childId ? this.items.get(childId) : undefined;
      if (childId && childItem && entities.has(childId)) this.placeUnder(childId, childItem, id);
    }
  }

  /** Lists a row under `wanted` if that is listed (and not a loop), else at the top until it is. */
  private placeUnder(id: EntityId, item: Item, wanted: EntityId | undefined): void {
    const parent = wanted && wanted !== id && this.items.has(wanted) && !this.isUnder(wanted, id) ? wanted : undefined;
    this.stopWaiting(id, item);
    if (wanted && !parent) {
      item.awaited = wanted;
      let set = this.waiting.get(wanted);
      if (!set) this.waiting.set(wanted, (set = new Set()));
      set.add(id);
    }
    if (parent === item.parent && item.li.parentNode) return;
    item.parent = parent;
    let list = this.element;
    const parentItem = parent ? this.items.get(parent) : undefined;
    if (parentItem) {
      if (!parentItem.children) parentItem.li.append((parentItem.children = el("ul")));
      list = parentItem.children;
    }
    // in order: the place first, then by id
    item.li.remove();
    const siblings = list.children;
    let low = 0;
    let high = siblings.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compareIds(siblings[mid].getAttribute("data-entity-id") ?? "", id) < 0) low = mid + 1;
      else high = mid;
    }
    list.insertBefore(item.li, siblings[low] ?? null);
  }

  private stopWaiting(id: EntityId, item: Item): void {
    if (item.awaited === undefined) return;
    const set = this.waiting.get(item.awaited);
    set?.delete(id);
    if (set?.size === 0) this.waiting.delete(item.awaited);
    item.awaited = undefined;
  }

  /** Whether `id` is listed somewhere under `ancestor` (a parent loop would hide both). */
  private isUnder(id: EntityId, ancestor: EntityId): boolean {
    let at: EntityId | undefined = id;
    for (let depth = 0; at && depth < 64; depth++, at = this.items.get(at)?.parent) if (at === ancestor) return true;
    return false;
  }
}

function compareIds(a: EntityId, b: EntityId): number {
  if (a === b) return 0;
  if (a === PLACE_ENTITY_ID) return -1;
  if (b === PLACE_ENTITY_ID) return 1;
  return a.localeCompare(b);
}

export function labelOf(entity: Entity, ownAvatar: EntityId | undefined, agentName?: string): string {
  const c = entity.components;
  if (entity.id === PLACE_ENTITY_ID) return "place";
  if (c.visor) return `${entity.id === ownAvatar ? "you" : "visor"} "${c.visor.display_name ?? agentName ?? ""}"`;
  if (agentName !== undefined) return `app "${agentName}"`;
  if (c.intent?.actuate_pose) return c.intent.actuate_pose;
  if (c.text && typeof c.text.string === "string") return `text "${truncate(c.text.string, 24)}"`;
  const kind = [
    c.collider ? "collider" : "",
    c.grabbable ? "grabbable" : "",
    c.geometry ? `${c.geometry.type === "hardcoded-model" ? c.geometry.name : c.geometry.type}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return kind || "entity";
}

/** The components labelOf reads: a change to another one leaves the label as it is. */
export const LABEL_COMPONENTS: ReadonlySet<string> = new Set([
  "relationships",
  "visor",
  "intent",
  "text",
  "collider",
  "grabbable",
  "geometry",
]);

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
