// The shapes on the wire (docs/protocol.md). Untrusted input becomes these types only through parse.ts.

export type EntityId = string;
export type AgentId = string;
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Column-major 4×4 matrix, 16 numbers. */
export type Mat4 = number[];
export type Vec3 = [number, number, number];

// ── Interactions (§2) ────────────────────────────────────────────────────────────────────────────────────────
export type InteractionType = "oneway" | "request" | "response" | "publication";
/** A body is an array whose first element is the interaction's name. */
export type InteractionBody = [string, ...Json[]];

/** `["interaction", type, sender_entity_id, receiver_entity_id, request_id, body]` */
export type InteractionEnvelope = ["interaction", InteractionType, EntityId, EntityId, string, InteractionBody];

/** An interaction with named fields, as code handles it. */
export interface Interaction {
  type: InteractionType;
  senderEntityId: EntityId;
  receiverEntityId: EntityId;
  requestId: string;
  body: InteractionBody;
}

// ── Components (docs/protocol.md §3.1) ──────────────────────────────────────────────────────────────────────
export interface TransformComponent {
  matrix: Mat4;
  size?: Vec3;
}
export interface RelationshipsComponent {
  parent: EntityId;
}
export type PoseName = "root" | "head" | "torso" | "hand/left" | "hand/right";
export interface IntentComponent {
  actuate_pose: PoseName;
  from_avatar?: EntityId;
}
export interface GrabbableComponent {
  grabbable?: boolean;
  actuate_on?: "$parent" | EntityId;
  translation_constraint?: Vec3;
  rotation_constraint?: Vec3;
  target_hand_transform?: Mat4;
}
export interface ColliderComponent {
  type: "box";
  width: number;
  height: number;
  depth: number;
  x?: number;
  y?: number;
  z?: number;
}
export type GeometryComponent =
  | { type: "inline"; vertices: number[][]; normals?: number[][]; uvs?: number[][]; triangles: number[][] }
  | { type: "asset"; name: string }
  | { type: "hardcoded-model"; name: string };
export interface MaterialComponent {
  color?: [number, number, number, number];
  texture?: string;
  shader_name?: "plain" | "pbr";
  roughness?: number;
  metalness?: number;
  hasTransparency?: boolean;
}
export interface TextComponent {
  string: string;
  height?: number;
  width?: number;
  wrap?: boolean;
  halign?: "left" | "center" | "right";
  valign?: "top" | "middle" | "bottom";
  fitToWidth?: boolean;
  insertionMarker?: boolean;
}
export interface CursorComponent {
  name: string;
  size?: number;
}
export interface LiveMediaComponent {
  track_id: number;
  type: "audio" | "video";
  format: string;
  metadata: JsonObject;
}
export interface ClockComponent {
  time: number;
}
export interface PropertyAnimationsComponent {
  animations: Record<string, PropertyAnimationDescriptor>;
}
export interface VisorComponent {
  display_name?: string;
}
export interface UiComponent {
  view_id: string;
}
export interface FocusComponent {
  type: "key";
}

/** The official components. Apps may add any other JSON-valued component. */
export interface Components {
  transform?: TransformComponent;
  relationships?: RelationshipsComponent;
  intent?: IntentComponent;
  grabbable?: GrabbableComponent;
  collider?: ColliderComponent;
  geometry?: GeometryComponent;
  material?: MaterialComponent;
  text?: TextComponent;
  cursor?: CursorComponent;
  live_media?: LiveMediaComponent;
  property_animations?: PropertyAnimationsComponent;
  clock?: ClockComponent;
  visor?: VisorComponent;
  ui?: UiComponent;
  focus?: FocusComponent;
  [custom: string]: unknown;
}

/** Components only the place may write (docs/protocol.md §3 change_components). */
export const SERVER_OWNED_COMPONENTS = ["live_media", "property_animations", "clock"] as const;

export interface Entity {
  id: EntityId;
  components: Components;
}

/** What spawn_entity and announce's spawn_avatar take: components, plus optional nested children. */
export type EntitySpec = Components & { children?: EntitySpec[] };

// ── World state (§5) ────────────────────────────────────────────────────────────────────────────────────────
export interface WorldDocument {
  entities: Record<EntityId, Entity>;
  revision: number;
}
export type StateFrame =
  | { patch_style: "set"; entities: Record<EntityId, Entity>; revision: number }
  | ({ patch_style: "merge"; patch_from: number; revision: number } & { entities?: Record<EntityId, Json> });

// ── Intents (§6.1) and clock (§7) ───────────────────────────────────────────────────────────────────────────
export interface PoseGrab {
  entity: EntityId;
  grabber_from_entity_transform: Mat4;
}
export interface Pose {
  matrix: Mat4;
  grab?: PoseGrab;
}
export interface Intent {
  xmovement: number;
  zmovement: number;
  yaw: number;
  pitch: number;
  poses: Partial<Record<PoseName, Pose>>;
  ack_state_rev: number;
  wants_stick_movement?: boolean;
}
export interface IntentMessage {
  cmd: "intent";
  intent: Intent;
}
export interface ClockMessage {
  cmd: "clock";
  client_time: number;
  server_time?: number;
}

// ── Property animations (§6.2) ──────────────────────────────────────────────────────────────────────────────
export type AnimationValue = number | number[];
export interface PropertyAnimationDescriptor {
  path: string;
  from?: AnimationValue;
  to: AnimationValue;
  start_at?: number;
  duration?: number;
  easing?: string;
  repeats?: boolean;
  autoreverses?: boolean;
}

/** Every message a place may receive in a text frame, after validation. */
export type AgentMessage =
  | { kind: "interaction"; interaction: Interaction }
  | { kind: "intent"; intent: Intent }
  | { kind: "clock"; clientTime: number };

/** Every message an agent may receive in a text frame, after validation. */
export type PlaceMessage =
  | { kind: "interaction"; interaction: Interaction }
  | { kind: "state"; state: StateFrame }
  | { kind: "clock"; clientTime: number; serverTime: number };

export const PROTOCOL_VERSION = 3;
export const DEFAULT_PORT = 21337;
export const PLACE_ENTITY_ID = "place";

/** Close codes (docs/protocol.md §1, §2, §5). */
export const CloseCode = {
  normal: 1000,
  policyViolation: 1008,
  tooLarge: 1009,
  notAnnounced: 4401,
  announceTimeout: 4408,
  tooManyBadFrames: 4400,
  kicked: 4403,
  outdatedVersion: 4426,
  ackTimeout: 4410,
} as const;
