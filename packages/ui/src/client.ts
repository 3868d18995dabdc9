// The part of @allo/client the renderer uses (docs/architecture.md, @allo/client). Typed structurally so the
// renderer depends on the contract, not on the client's internals.
import type { Observable } from "rxjs";
import type { EntityId, EntitySpec, InteractionBody, InteractionType, Json } from "@allo/protocol";

export interface UiIncomingInteraction {
  type: InteractionType;
  senderEntityId: EntityId;
  receiverEntityId: EntityId;
  requestId: string;
  body: InteractionBody;
  /** Answers a request (no-op for other types). */
  respond?(body: InteractionBody): void;
}

export interface UiClient {
  readonly avatarId: EntityId;
  readonly placeName?: string;
  request(
    senderEntityId: EntityId,
    receiverEntityId: EntityId,
    body: InteractionBody,
    options?: { timeout?: number },
  ): Promise<InteractionBody>;
  send(senderEntityId: EntityId, receiverEntityId: EntityId, body: InteractionBody): void;
  readonly interactions$: Observable<UiIncomingInteraction>;
  spawnEntity(spec: EntitySpec): Promise<{ id: EntityId; descendants: EntityId[] }>;
  changeComponents(id: EntityId, set: Record<string, Json>, remove?: string[]): Promise<unknown>;
  removeEntity(id: EntityId, mode?: "reparent" | "cascade"): Promise<unknown>;
  serverTime(): number;
  close(): void | Promise<void>;
  readonly closed: Promise<unknown>;
  readonly world: { entities: ReadonlyMap<EntityId, { id: EntityId; components: Record<string, unknown> }> };
  readonly entityAdded$?: Observable<unknown>;
  readonly entityRemoved$?: Observable<unknown>;
  /** The place's URL. */
  readonly url?: string;
  /** @allo/client's connection state: the renderer pauses while reconnecting and re-spawns once connected again. */
  readonly connectionState$?: Observable<UiConnectionState>;
}

/** The part of @allo/client's ConnectionState the renderer reads. */
export type UiConnectionState =
  | { status: "connecting" | "closed" }
  | { status: "connected"; reconnects: number }
  | { status: "reconnecting"; attempt: number; delay: number };
