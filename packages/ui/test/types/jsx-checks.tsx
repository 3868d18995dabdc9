// Compile-time checks of Allo's JSX typings, run by jsx-types.test.ts through the TypeScript API.
// Each @ts-expect-error must meet an error, or tsc reports the directive as unused.
import { Box, Button, Label, Model, Surface, type AssetRef, type EntityNode } from "../../src/index.ts";

// Apps type their own components by augmenting ComponentMap.
declare module "@allo/ui" {
  interface ComponentMap {
    test_score: { points: number };
  }
}
export const typedCustom = <entity test_score={{ points: 3 }} />;
// @ts-expect-error an augmented component is checked too
export const badCustom = <entity test_score={{ points: "three" }} />;

export const ok = (
  <entity
    transform={{ matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }}
    collider={{ type: "box", width: 1, height: 1, depth: 1 }}
    material={{ color: [1, 0, 0, 1] }}
    my_custom_component={{ anything: [1, "two"] }}
    cursor={false}
    onPoke={(e) => e.pressed}
    onPoint={(e) => e.to[0]}
    ref={(node: EntityNode) => node.ready}
    key="a"
  >
    <Box size={[1, 1, 1]} color="#ff0000" />
    <Button label="go" onActivated={(e) => e.senderId} />
  </entity>
);

// @ts-expect-error a matrix is numbers
export const badMatrix = <entity transform={{ matrix: "identity" }} />;
// @ts-expect-error a collider has a type, width, height and depth
export const badCollider = <entity collider={{ type: "sphere", radius: 1 }} />;
// @ts-expect-error colours are four numbers
export const badColor = <entity material={{ color: [1, 0, 0] }} />;
// @ts-expect-error text needs its string
export const badText = <entity text={{ height: 0.1 }} />;
// @ts-expect-error halign is left, center or right
export const badAlign = <entity text={{ string: "x", halign: "middle" }} />;
// @ts-expect-error geometry is inline, asset or hardcoded-model
export const badGeometry = <entity geometry={{ type: "sphere" }} />;
// @ts-expect-error only <entity> is an Allo element
export const badTag = <box />;
// @ts-expect-error a size is three numbers
export const badSize = <Box size={[1, 1]} />;
// @ts-expect-error Label needs its text
export const noText = <Label />;
// @ts-expect-error onPoke's event has no `foo`
export const badHandler = <entity onPoke={(e) => e.foo} />;

// asset() refs go where a component names an asset, and nowhere else.
declare const logo: AssetRef;
export const assetRefs = (
  <entity material={{ texture: logo }} geometry={{ type: "asset", name: logo }}>
    <Surface texture={logo} />
    <Model asset={logo} />
  </entity>
);
// @ts-expect-error a hardcoded model is named by a string
export const badAssetRef = <entity geometry={{ type: "hardcoded-model", name: logo }} />;
