// The typings of Allo JSX: one intrinsic <entity> whose props are components, plus ref, key and events.
// Wrong component shapes fail at compile time (test/jsx-types.test.ts checks it with tsc).
import type { JSX as SolidJSX } from "solid-js";
import type {
  ColliderComponent,
  CursorComponent,
  FocusComponent,
  GeometryComponent,
  GrabbableComponent,
  IntentComponent,
  Json,
  MaterialComponent,
  RelationshipsComponent,
  TextComponent,
  TransformComponent,
  UiComponent,
  VisorComponent,
} from "@allo/protocol";
import type { EntityNode } from "./node.ts";
import type { AssetRef } from "./asset.ts";
import type { AlloEvent, EventHandler, GrabEvent, PointEvent, PokeEvent } from "./events.ts";

/**
 * The components whose shape <entity> checks. Any other name is a custom component taking any JSON.
 * Apps can add theirs: `declare module "@allo/ui" { interface ComponentMap { score: { points: number } } }`.
 */
export interface ComponentMap {
  transform: TransformComponent;
  geometry: GeometryComponent;
  material: MaterialComponent;
  text: TextComponent;
  collider: ColliderComponent;
  grabbable: GrabbableComponent;
  cursor: CursorComponent;
  relationships: RelationshipsComponent;
  intent: IntentComponent;
  visor: VisorComponent;
  ui: UiComponent;
  focus: FocusComponent;
}

/** Custom components: any other name, any JSON value. */
export interface CustomComponentProps {
  [custom: string]: Json | unknown;
}

/** Where a component names an asset, an asset() ref does too (asset-props.ts). */
type AcceptingAssetRefs<K, T> = K extends "material"
  ? Omit<T, "texture"> & { texture?: string | AssetRef }
  : K extends "geometry"
    ? T extends { type: "asset" }
      ? Omit<T, "name"> & { name: string | AssetRef }
      : T
    : T;

/** A component prop: its value, or false/null/undefined for "no such component". */
export type ComponentProps = { [K in keyof ComponentMap]?: AcceptingAssetRefs<K, ComponentMap[K]> | false | null };

export interface EventProps {
  /** A poke (request ["poke", pressed]); answered ok, or failed when the handler throws or returns false. */
  onPoke?: EventHandler<PokeEvent>;
  /** A pointer ray moved over the entity (oneway ["point", from, to]). */
  onPoint?: EventHandler<PointEvent>;
  onPointExit?: EventHandler<AlloEvent>;
  /** Grab started (grabbing: true) or ended. The place moves the entity itself. */
  onGrab?: EventHandler<GrabEvent>;
  onFocus?: EventHandler<AlloEvent>;
  onDefocus?: EventHandler<AlloEvent>;
  onKeyDown?: EventHandler<AlloEvent>;
  onTextInput?: EventHandler<AlloEvent>;
  /** Every interaction sent to this entity; answer requests with event.respond(body). */
  onInteraction?: EventHandler<AlloEvent>;
  [raw: `on:${string}`]: EventHandler<AlloEvent> | undefined;
}

/** <entity>'s props without the custom-component index signature (so Omit<> keeps its keys). */
export type BaseEntityProps = ComponentProps &
  EventProps & {
    /** Receives the EntityNode before it exists in the place: node.ready resolves with its id. */
    ref?: EntityNode | ((node: EntityNode) => void);
    key?: string | number;
    children?: SolidJSX.Element;
  };

export type EntityProps = BaseEntityProps & CustomComponentProps;
