// Types for `jsxImportSource: "@allo/ui"` (tsconfig jsx: "preserve"; Babel compiles the JSX itself).
import type { JSX as SolidJSX } from "solid-js";
import type { EntityProps } from "./jsx-types.ts";

export type {
  EntityProps,
  BaseEntityProps,
  ComponentProps,
  ComponentMap,
  CustomComponentProps,
  EventProps,
} from "./jsx-types.ts";

export namespace JSX {
  type Element = SolidJSX.Element;
  interface ElementChildrenAttribute {
    children: {};
  }
  interface IntrinsicElements {
    entity: EntityProps;
  }
  interface IntrinsicAttributes {}
}
