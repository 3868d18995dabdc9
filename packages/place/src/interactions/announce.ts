// ["announce","version",3,"identity",{…},"spawn_avatar",{spec}] → ["announce", avatarId, placeName]
// (docs/protocol.md §3). The version is checked before anything is spawned (fix: the reference spawned first).
import { CloseCode, isPlainObject, PROTOCOL_VERSION, type JsonObject } from "@allo/protocol";
import { callHooks } from "../hooks.ts";
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";
import { checkSpec, spawnTree } from "./spawn.ts";

const USAGE = `announce takes ["announce", "version", 3, "identity", {display_name…}, "spawn_avatar", {spec}]`;

export const announce: InteractionHandler = ({ ctx, agent, interaction }) => {
  const body = interaction.body;
  if (agent.announced) return ["announce", "error", 1006, "already announced"];
  if (body[1] !== "version" || body[3] !== "identity" || body[5] !== "spawn_avatar" || body.length !== 7) refuse(USAGE);
  if (body[2] !== PROTOCOL_VERSION) {
    queueMicrotask(() => ctx.disconnect(agent, CloseCode.outdatedVersion, "outdated protocol version"));
    return [
      "announce",
      "error",
      1003,
      `Please update your app: this place speaks protocol version ${PROTOCOL_VERSION}. Outdated network protocol.`,
    ];
  }
  const identity = body[4];
  if (!isPlainObject(identity)) refuse(`announce identity must be an object like {"display_name": "…"}`);
  if (identity.display_name !== undefined && typeof identity.display_name !== "string")
    refuse(`identity.display_name must be a string`);
  const raw = body[6];
  if (!isPlainObject(raw)) refuse(`announce spawn_avatar must be an entity spec object`);
  // `avatar` is not a component: it carries the launch token and never reaches the world (docs/protocol.md §3, §8).
  const { avatar, ...rest } = raw as Record<string, unknown>;
  const token = isPlainObject(avatar) && typeof avatar.token === "string" ? avatar.token : undefined;
  const spec = checkSpec(ctx, agent, rest, "spawn_avatar");
  const [avatarId] = spawnTree(ctx, agent, spec);
  // The token proved who the agent is (auth.ts); it is never kept or shown.
  const { token: _token, ...declared } = identity;
  agent.identity = declared as JsonObject;
  agent.avatarId = avatarId;
  clearTimeout(agent.announceTimer);
  ctx.log.info("agent announced", { agent: agent.id, display_name: agent.displayName, avatar: avatarId });
  callHooks(ctx.log, "onAgentAnnounced", ctx.hooks.onAgentAnnounced, agent);
  if (token !== undefined) callHooks(ctx.log, "onAvatarToken", ctx.hooks.onAvatarToken, token, agent, avatarId);
  return ["announce", avatarId, ctx.name];
};
