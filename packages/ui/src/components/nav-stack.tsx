// NavStack: drill-down navigation. Shows only the top view, and a back button once something was pushed.
// Views inside reach it with useNav(): push(() => <Detail/>), pop(), popToRoot().
import { createContext, createSignal, Show, splitProps, useContext, type JSX } from "solid-js";
import type { Vec3 } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import { Button } from "./button.tsx";
import { edge } from "../layout/bounds.ts";

export interface Nav {
  push(view: () => JSX.Element): void;
  pop(): void;
  popToRoot(): void;
  depth(): number;
}

const NavContext = createContext<Nav>();

export function useNav(): Nav {
  const nav = useContext(NavContext);
  if (!nav) throw new Error("useNav() must be used inside a <NavStack>.");
  return nav;
}

export type NavStackProps = ViewProps & { showsBackButton?: boolean };

export function NavStack(props: NavStackProps): JSX.Element {
  const [local, rest] = splitProps(props, ["children", "showsBackButton", "size"]);
  const [pushed, setPushed] = createSignal<Array<() => JSX.Element>>([]);
  const nav: Nav = {
    push: (view) => setPushed((s) => [...s, view]),
    pop: () => setPushed((s) => s.slice(0, -1)),
    popToRoot: () => setPushed([]),
    depth: () => pushed().length + 1,
  };
  const size = (): Vec3 => local.size ?? [1, 1, 0.01];
  const corner = () => edge(size(), "left", "top", "front");
  return (
    <View {...rest} size={size()}>
      <NavContext.Provider value={nav}>
        <Show when={pushed().at(-1)} keyed fallback={local.children}>
          {(view) => view()}
        </Show>
        <Show when={(local.showsBackButton ?? true) && pushed().length > 0}>
          <Button
            label="<"
            size={[0.08, 0.08, 0.04]}
            position={[corner()[0] + 0.04, corner()[1] - 0.04, corner()[2] + 0.02]}
            onActivated={() => nav.pop()}
          />
        </Show>
      </NavContext.Provider>
    </View>
  );
}
