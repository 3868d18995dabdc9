// useAgents(): the agents in the place (list_agents), refreshed when avatars come and go.
import { createSignal, onCleanup, type Accessor } from "solid-js";
import { PLACE_ENTITY_ID, type Json } from "@allo/protocol";
import { useApp } from "../context.ts";

export interface AgentInfo {
  agent_id: string;
  display_name: string;
  avatar_id: string;
  is_visor: boolean;
}

export function useAgents(): Accessor<AgentInfo[]> {
  const app = useApp();
  const [agents, setAgents] = createSignal<AgentInfo[]>([]);
  let alive = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = async () => {
    const client = app.client();
    if (!client || !alive) return;
    const response = await client.request(client.avatarId, PLACE_ENTITY_ID, ["list_agents"]).catch(() => null);
    const list = response?.[2] as Json;
    if (alive && Array.isArray(list)) setAgents(list as unknown as AgentInfo[]);
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 50);
  };
  const subscriptions: Array<{ unsubscribe(): void }> = [];
  void app.connected.then((client) => {
    if (!alive) return;
    void refresh();
    if (client.entityAdded$) subscriptions.push(client.entityAdded$.subscribe(soon));
    if (client.entityRemoved$) subscriptions.push(client.entityRemoved$.subscribe(soon));
  });
  onCleanup(() => {
    alive = false;
    clearTimeout(timer);
    for (const s of subscriptions) s.unsubscribe();
  });
  return agents;
}
