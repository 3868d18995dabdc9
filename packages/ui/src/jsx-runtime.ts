// The runtime side of "@allo/ui/jsx-runtime": nothing runs here (Babel imports the renderer from "@allo/ui");
// the JSX namespace lives in jsx-runtime.d.ts.
export type {
  EntityProps,
  BaseEntityProps,
  ComponentProps,
  ComponentMap,
  CustomComponentProps,
  EventProps,
} from "./jsx-types.ts";
