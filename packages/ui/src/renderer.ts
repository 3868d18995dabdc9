// The solid-js/universal callbacks: JSX builds a local tree of EntityNodes; attaching a subtree to a live
// parent, prop writes and removals are reported to the app's EntitySync, which flushes once per tick.
// No network I/O happens in here (docs/renderer.md).
import { getOwner } from "solid-js";
import { createRenderer } from "solid-js/universal";
import { createLogger, type Json } from "@allo/protocol";
import { EntityNode, RootNode, TextNode, link, unlink, type AnyNode, type ContainerNode } from "./node.ts";
import { eventNameOf, type EventHandler } from "./events.ts";
import { assetIdsIn } from "./asset-props.ts";

const logger = createLogger("allo-ui");
const RESERVED = new Set(["children", "ref"]);
let warnedText = false;

type Node = AnyNode | RootNode;

export const {
  render: renderInto,
  effect,
  memo,
  createComponent,
  createElement,
  createTextNode,
  insertNode,
  insert,
  spread,
  setProp,
  mergeProps,
  use,
} = createRenderer<Node>({
  createElement(tag: string): EntityNode {
    if (tag !== "entity") {
      throw new Error(
        `<${tag}> is not an Allo element. Use <entity …> or a component such as <Box>, <Label> or <Button>.`,
      );
    }
    const node = new EntityNode(tag);
    node.owner = getOwner();
    return node;
  },

  // Also Solid's empty placeholders for <Show>/<For>; text has no entity of its own (use <Label>).
  createTextNode(value: string): TextNode {
    if (value.trim() && !warnedText) {
      warnedText = true;
      logger.warn(`text "${value.trim().slice(0, 40)}" inside <entity> is ignored; use <Label text=…> to show text`);
    }
    return new TextNode(value);
  },

  replaceText(node: Node, value: string): void {
    if (node instanceof TextNode) node.text = value;
  },

  isTextNode(node: Node): boolean {
    return node instanceof TextNode;
  },

  setProperty(node: Node, name: string, value: unknown): void {
    if (!(node instanceof EntityNode) || RESERVED.has(name)) return;
    if (name === "key") {
      node.key = value == null ? undefined : String(value);
      return;
    }
    const event = eventNameOf(name);
    if (event) {
      if (typeof value === "function") node.handlers.set(event, value as EventHandler);
      else node.handlers.delete(event);
      return;
    }
    node.setComponent(name, assetIdsIn(node, name, value) as Json | undefined);
  },

  // Also moves an attached node (keyed reorders): no removeNode comes first.
  insertNode(parent: Node, node: Node, anchor?: Node): void {
    if (parent instanceof TextNode || node instanceof RootNode) throw new Error("cannot insert into a text node");
    link(parent as ContainerNode, node, anchor as AnyNode | undefined);
    const sync = (parent as ContainerNode).sync;
    if (sync && node instanceof EntityNode) sync.attached(node);
  },

  // Called for the top node of a removed subtree only; it must really unlink so getFirstChild moves on (opentui #134).
  removeNode(parent: Node, node: Node): void {
    if (parent instanceof TextNode || node instanceof RootNode) return;
    const sync = (parent as ContainerNode).sync;
    unlink(parent as ContainerNode, node);
    if (sync && node instanceof EntityNode) sync.detached(node, parent as ContainerNode);
  },

  getParentNode(node: Node): Node | undefined {
    return node.parent ?? undefined;
  },

  getFirstChild(node: Node): Node | undefined {
    return node instanceof TextNode ? undefined : (node.first ?? undefined);
  },

  getNextSibling(node: Node): Node | undefined {
    return node instanceof RootNode ? undefined : (node.next ?? undefined);
  },
});
