// One live connection: the mirror feeds the scene, the panel and the animations; interactions addressed to us are
// handled or answered; agents are listed. Returns the teardown run when the connection ends.
import type { Subscription } from "rxjs";
import { PLACE_ENTITY_ID, type EntityId, type InteractionBody } from "@allo/protocol";
import type { VisorClient } from "./connection.ts";
import type { EntityScene } from "./scene/entities.ts";
import type { AnimationPlayer } from "./scene/animation.ts";
import type { Panel } from "./panel/panel.ts";
import type { AgentInfo } from "./panel/agents.ts";
import type { KeyboardFocus } from "./input/keyboard.ts";

const AGENTS_REFRESH_MS = 3000;

export interface SessionParts {
  scene: EntityScene;
  animations: AnimationPlayer;
  panel: Panel;
  keyboard: KeyboardFocus;
  onEntityChanged(id: EntityId): void;
}

export function startSession(client: VisorClient, parts: SessionParts): () => void {
  const { scene, animations, panel, keyboard } = parts;
  const subscriptions: Subscription[] = [];
  const show = (id: EntityId) => {
    const entity = client.world.get(id);
    if (!entity) return;
    scene.upsert(entity);
    animations.track(id, entity.components);
    parts.onEntityChanged(id);
  };

  scene.clear();
  animations.clear();
  scene.hide(client.avatarId); // the camera is inside our own head
  for (const id of client.world.entities.keys()) show(id);
  panel.worldChanged();

  subscriptions.push(
    client.entityAdded$.subscribe((entity) => {
      show(entity.id);
      panel.entityAdded(entity.id);
    }),
    client.entityChanged$.subscribe((change) => {
      show(change.entity.id);
      panel.entityChanged(change.entity.id, [...change.changed, ...change.removed]);
    }),
    client.entityRemoved$.subscribe((removal) => {
      scene.remove(removal.id);
      animations.forget(removal.id);
      panel.entityRemoved(removal.id);
      parts.onEntityChanged(removal.id);
    }),
    client.interactions$.subscribe((interaction) => {
      const name = interaction.name;
      if (name === "defocus") keyboard.lost(interaction.senderEntityId);
      else if (name === "changeFocusTo" && typeof interaction.body[1] === "string")
        void keyboard.focus(interaction.body[1]);
      // docs/protocol.md §2: a request always gets an answer.
      if (interaction.type === "request")
        interaction.respond([name, "failed", `the web visor does not handle "${name}"`]);
    }),
  );

  const listAgents = () => {
    client.request(client.avatarId, PLACE_ENTITY_ID, ["list_agents"]).then(
      (answer: InteractionBody) =>
        panel.setAgents(
          Array.isArray(answer[2]) ? (answer[2] as unknown as AgentInfo[]) : "unexpected answer to list_agents",
        ),
      (error: Error) => panel.setAgents(`list_agents failed: ${error.message}`),
    );
  };
  listAgents();
  const agentsTimer = setInterval(listAgents, AGENTS_REFRESH_MS);

  return () => {
    clearInterval(agentsTimer);
    for (const s of subscriptions) s.unsubscribe();
    keyboard.lost(keyboard.focused ?? "");
  };
}
