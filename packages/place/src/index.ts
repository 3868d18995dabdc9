// @allo/place: the reference Allo place. Named exports only.
export { startPlace, type Place, type PlaceCloseOptions, type PlaceStats } from "./place.ts";
export { World, PLACE_OWNER, type WorldView, type Owner, type RemovedEntity } from "./world.ts";
export { Agent, type AgentStats } from "./agent.ts";
export {
  DEFAULT_ACL_RULES,
  MAX_ACL_RULES,
  parseAclConfig,
  permit,
  readAclConfigFile,
  type AclConfig,
  type AclRuleSpec,
  type Permission,
} from "./acl.ts";
export {
  Auth,
  configureAuth,
  issueToken,
  MIN_SECRET_BYTES,
  type AuthConfig,
  type TokenClaims,
  type VerifiedIdentity,
} from "./auth.ts";
export { NetworkPolicy } from "./network-policy.ts";
export { placeInteractions, PLACE_HANDLED_ANY_RECEIVER } from "./interactions/index.ts";
export { refuse, Refusal } from "./interactions/refuse.ts";
export { configureLaunchApp, DEFAULT_LAUNCH_APP_CONFIG, type LaunchAppConfig } from "./interactions/launch-app.ts";
export {
  DEFAULT_LIMITS,
  type BinaryHandler,
  type HttpHandler,
  type InteractionHandler,
  type PlaceCall,
  type PlaceContext,
  type PlaceHooks,
  type PlaceLimits,
  type PlaceOptions,
  type Simulation,
  type SubscriptionRouter,
} from "./types.ts";
