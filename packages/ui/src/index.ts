// @allo/ui: the Solid universal renderer for Allo, its components and hooks. Named exports only.

// What compiled JSX imports (babel-preset-solid, generate "universal", moduleName "@allo/ui").
export { effect, memo, createComponent, createElement, createTextNode, insertNode, insert, spread, setProp, mergeProps, use } from "./renderer.ts";
export { For, Show, Switch, Match, Index, Suspense, SuspenseList, ErrorBoundary, Dynamic, Portal } from "./control-flow.ts";

// Running an app.
export { render, type RenderOptions, type AppHandle } from "./render.ts";
export { runApp, appStarted, appNameFor, placeUrlFromProcess, isMain, type RunAppOptions } from "./run-app.ts";
export { readLaunchInfo, type LaunchInfo } from "./launch.ts";
export { EntityNode, type NodeState } from "./node.ts";
export type { EntitySync, FlushCounters } from "./flush.ts";
export type { UiClient, UiIncomingInteraction } from "./client.ts";
export type { AlloEvent, PokeEvent, PointEvent, GrabEvent, EventHandler } from "./events.ts";
export { useApp, type AppContextValue } from "./context.ts";

// Animations.
export { animate, removeAnimation, Animation, shake, spawnBounce, scaleOut, type AnimationTarget } from "./animate.ts";

// Placing things in 3D.
export * from "./layout/index.ts";

// Components and hooks.
export * from "./components/index.ts";
export * from "./hooks/index.ts";

export type { EntityProps, BaseEntityProps, ComponentProps, ComponentMap, CustomComponentProps, EventProps } from "./jsx-types.ts";
