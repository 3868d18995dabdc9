// The developer panel: connection state, a field to launch an app by alloapp: URL, the agents present, the entity
// tree and the selected entity's components (live). Plain DOM, updated from the frame loop only where something
// changed (the tree row by row, at most a few times a second), and not at all while the panel is closed.
import type { Entity, EntityId } from "@allo/protocol";
import type { ConnectionState } from "../connection.ts";
import { AgentsView, type AgentInfo } from "./agents.ts";
import { ComponentsView } from "./components-view.ts";
import { EntityTree, LABEL_COMPONENTS } from "./entity-tree.ts";
import { el } from "./dom.ts";

export interface PanelHandlers {
  /** Launch an app; resolves a readable result, rejects with a readable error. */
  launch(url: string): Promise<string>;
  reconnect(): void;
}

const TREE_REFRESH_MS = 250;

export class Panel {
  selected: EntityId | undefined;
  private readonly status = el("div", { class: "status", "data-testid": "connection" });
  private readonly focusLine = el("div", { class: "focus hint" });
  private readonly tree: EntityTree;
  private readonly components = new ComponentsView();
  private readonly agents = new AgentsView();
  private readonly launchResult = el("div", { class: "launch-result", "data-testid": "launch-result" });
  private readonly count = el("span", { class: "count" });
  /** The whole tree must be listed again (a new session). */
  private treeStale = true;
  /** Entities whose rows must be brought up to date. */
  private readonly treeChanged = new Set<EntityId>();
  private selectedDirty = true;
  private lastTreeAt = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly handlers: PanelHandlers,
  ) {
    this.tree = new EntityTree((id) => this.select(id));
    const input = el("input", {
      type: "text",
      name: "alloapp",
      placeholder: "alloapp:http://localhost:8000/hello",
      spellcheck: "false",
      "data-testid": "launch-url",
    });
    const button = el("button", { type: "submit", text: "Launch" });
    const form = el("form", { class: "launch" }, input, button);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const url = input.value.trim();
      if (!url) return;
      button.disabled = true;
      this.launchResult.textContent = `launching ${url}…`;
      this.launchResult.className = "launch-result";
      this.handlers
        .launch(url)
        .then(
          (message) => {
            this.launchResult.textContent = message;
            this.launchResult.classList.add("ok");
          },
          (error: Error) => {
            this.launchResult.textContent = error.message;
            this.launchResult.classList.add("error");
          },
        )
        .finally(() => (button.disabled = false));
    });
    const toggle = el("button", { class: "toggle", title: "Show or hide the panel (`)", text: "≡" });
    toggle.addEventListener("click", () => this.toggle());
    this.status.addEventListener("click", () => this.handlers.reconnect());
    root.append(
      el("header", {}, el("h1", { text: "Allo visor" }), toggle),
      this.status,
      this.focusLine,
      el("section", {}, el("h2", { text: "Launch an app" }), form, this.launchResult),
      el("section", {}, el("h2", { text: "Agents" }), this.agents.element),
      el("section", { class: "grow" }, el("h2", {}, "Entities ", this.count), this.tree.element),
      el("section", { class: "grow" }, el("h2", { text: "Components" }), this.components.element),
    );
    this.agents.render("not connected");
  }

  toggle(): void {
    const collapsed = this.root.classList.toggle("collapsed");
    document.body.classList.toggle("panel-collapsed", collapsed);
  }

  get open(): boolean {
    return !this.root.classList.contains("collapsed");
  }

  setConnection(state: ConnectionState): void {
    const text =
      state.phase === "connected"
        ? `connected to ${state.placeName ?? "the place"}`
        : state.phase === "connecting"
          ? `connecting to ${state.placeUrl}${state.attempt > 1 ? ` (attempt ${state.attempt})` : ""}…`
          : state.phase === "waiting"
            ? `disconnected: ${state.error ?? "?"}; retrying in ${((state.retryInMs ?? 0) / 1000).toFixed(1)} s`
            : "stopped";
    this.status.textContent = text;
    this.status.dataset.phase = state.phase;
    this.status.title = state.phase === "connected" ? state.placeUrl : "click to retry now";
    if (state.phase !== "connected") this.agents.render("not connected");
  }

  setFocus(id: EntityId | undefined): void {
    this.focusLine.textContent = id ? `keyboard → ${id} (Esc to leave)` : "";
  }

  setAgents(agents: AgentInfo[] | string): void {
    this.agents.render(agents);
    if (typeof agents === "string") return;
    const names = new Map(agents.filter((a) => a.avatar_id).map((a) => [a.avatar_id!, a.display_name ?? ""]));
    const changed =
      names.size !== this.tree.avatarNames.size ||
      [...names].some(([id, name]) => this.tree.avatarNames.get(id) !== name);
    if (!changed) return;
    for (const id of new Set([...names.keys(), ...this.tree.avatarNames.keys()])) this.treeChanged.add(id);
    this.tree.avatarNames = names;
  }

  /** A new world (a new session): list it all again. */
  worldChanged(): void {
    this.treeStale = true;
    this.treeChanged.clear();
    this.selectedDirty = true;
  }

  entityAdded(id: EntityId): void {
    this.treeChanged.add(id);
    if (id === this.selected) this.selectedDirty = true;
  }

  entityRemoved(id: EntityId): void {
    this.treeChanged.add(id);
    if (id === this.selected) this.selectedDirty = true;
  }

  entityChanged(id: EntityId, componentNames: string[]): void {
    if (id === this.selected) this.selectedDirty = true;
    if (componentNames.some((n) => LABEL_COMPONENTS.has(n))) this.treeChanged.add(id);
  }

  select(id: EntityId | undefined): void {
    this.selected = id;
    this.tree.select(id);
    this.selectedDirty = true;
  }

  frame(now: number, entities: ReadonlyMap<EntityId, Entity>, ownAvatar: EntityId | undefined): void {
    if (!this.open) return; // caught up when opened
    if ((this.treeStale || this.treeChanged.size > 0) && now - this.lastTreeAt >= TREE_REFRESH_MS) {
      this.lastTreeAt = now;
      if (this.treeStale) this.tree.rebuild(entities, ownAvatar);
      else for (const id of this.treeChanged) this.tree.update(id, entities, ownAvatar);
      this.treeStale = false;
      this.treeChanged.clear();
      this.count.textContent = `(${entities.size})`;
    }
    if (this.selectedDirty) {
      this.selectedDirty = false;
      this.components.render(this.selected ? entities.get(this.selected) : undefined, this.selected);
    }
  }
}
