// Solid's control flow, re-exported for the compiler's auto-imports (babel builtIns), plus Dynamic and Portal
// written for entities (solid-js/web's versions are DOM-specific).
import { children, createMemo, onCleanup, splitProps, untrack, type Component, type JSX } from "solid-js";
import { createElement, insert, spread } from "./renderer.ts";
import { TextNode, link, unlink, type EntityNode, type RootNode } from "./node.ts";
import { useApp } from "./context.ts";

export { For, Show, Switch, Match, Index, Suspense, SuspenseList, ErrorBoundary } from "solid-js";

/** Renders `component` (a component function, or "entity"), switching when it changes. */
export function Dynamic<P extends Record<string, unknown>>(
  props: P & { component: Component<P> | string | undefined },
): JSX.Element {
  const [local, others] = splitProps(props, ["component"]);
  const component = createMemo(() => local.component);
  return createMemo(() => {
    const c = component();
    if (typeof c === "function") return untrack(() => c(others as unknown as P));
    if (typeof c === "string") {
      const node = createElement(c);
      spread(node, others, false);
      return node as unknown as JSX.Element;
    }
    return undefined;
  }) as unknown as JSX.Element;
}

/**
 * Renders its children as root entities of the app (not under the surrounding entity): popups, things placed
 * in the world. They are removed when the Portal is.
 */
export function Portal(props: { children: JSX.Element }): JSX.Element {
  const app = useApp();
  const marker = new TextNode("");
  link(app.root, marker);
  const resolved = children(() => props.children);
  insert(app.root, resolved, marker);
  onCleanup(() => {
    for (const node of resolved.toArray() as unknown as EntityNode[]) {
      if (node && node.parent === app.root) removeFromRoot(app.root, node);
    }
    removeFromRoot(app.root, marker);
  });
  return undefined;
}

function removeFromRoot(root: RootNode, node: EntityNode | TextNode): void {
  unlink(root, node);
  if (!(node instanceof TextNode)) root.sync?.detached(node, root);
}
