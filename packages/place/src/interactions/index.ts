// The place's interactions by name (docs/protocol.md §3). One module each; add a line here to add one.
import type { InteractionHandler } from "../types.ts";
import { addPropertyAnimation } from "./add-property-animation.ts";
import { allocateTrack } from "./allocate-track.ts";
import { announce } from "./announce.ts";
import { changeComponents } from "./change-components.ts";
import { kickAgent } from "./kick-agent.ts";
import { launchApp } from "./launch-app.ts";
import { listAgents } from "./list-agents.ts";
import { mediaTrack } from "./media-track.ts";
import { modifyAcl } from "./modify-acl.ts";
import { removeEntity } from "./remove-entity.ts";
import { removePropertyAnimation } from "./remove-property-animation.ts";
import { spawnEntity } from "./spawn-entity.ts";
import { subscribe } from "./subscribe.ts";
import { unsubscribe } from "./unsubscribe.ts";

export const placeInteractions: Record<string, InteractionHandler> = {
  announce,
  spawn_entity: spawnEntity,
  remove_entity: removeEntity,
  change_components: changeComponents,
  list_agents: listAgents,
  kick_agent: kickAgent,
  launch_app: launchApp,
  add_property_animation: addPropertyAnimation,
  remove_property_animation: removePropertyAnimation,
  allocate_track: allocateTrack,
  media_track: mediaTrack,
  subscribe,
  unsubscribe,
  modify_acl: modifyAcl,
};

/** Handled by the place whatever their receiver, which is the animated entity (docs/protocol.md §2 rule 4). */
export const PLACE_HANDLED_ANY_RECEIVER = new Set(["add_property_animation", "remove_property_animation"]);
