// The agents present in the place (list_agents, docs/protocol.md §3), refreshed while connected.
import { el } from "./dom.ts";

export interface AgentInfo {
  agent_id: string;
  display_name?: string;
  avatar_id?: string;
  is_visor?: boolean;
}

export class AgentsView {
  readonly element = el("ul", { class: "agents", "data-testid": "agents" });

  render(agents: AgentInfo[] | string): void {
    if (typeof agents === "string") {
      this.element.replaceChildren(el("li", { class: "hint", text: agents }));
      return;
    }
    this.element.replaceChildren(
      ...agents.map((agent) =>
        el(
          "li",
          { "data-agent-id": agent.agent_id },
          el("span", { class: "label", text: agent.display_name || "(no name)" }),
          el("span", { class: "id", text: `${agent.is_visor ? "visor" : "app"} · ${agent.avatar_id ?? "no avatar"}` }),
        ),
      ),
    );
  }
}
