// @allo/testing: test an Allo app against a real place in this process. Named exports only.
export { mountForTest, type TestMount, type EntityTree, type MountOptions } from "./mount.ts";
export { startTestPlace, connectRawAgent, type RawAgent, type RawAgentOptions } from "@allo/place/testing";
export type { Place, PlaceOptions } from "@allo/place";
