// Found by the fuzzer (seed 20261123), fixed in the place and protocol (9dc9b2a). change_components replaces a
// component whole (docs/protocol.md §3), but state frames are RFC 7386 merge patches: sent as the new value and applied
// by merge, a key the new value dropped used to survive in every mirror. A null *inside* a component value cannot be
// carried at all (a null in a merge patch means "remove this key"; docs/protocol.md §3.1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlace } from "@allo/place/testing";
import type { Place } from "@allo/place";
import { WireAgent } from "./lib/wire-agent.ts";
import { assertMirrorEqual } from "./lib/healthy.ts";

let place: Place;
let observer: WireAgent;
let app: WireAgent;

beforeAll(async () => {
  place = await startTestPlace();
  observer = await WireAgent.connect(place.url, { name: "observer" });
  app = await WireAgent.connect(place.url, { name: "app" });
});
afterAll(async () => {
  observer?.terminate();
  app?.terminate();
  await place?.close();
});

describe("a component replaced whole", () => {
  it("loses the keys its new value dropped, in every mirror too", async () => {
    const spawned = await app.place(["spawn_entity", { material: { color: [1, 0, 0, 1], roughness: 0.5 } }]);
    await observer.until((o) => o.entities.has(spawned[1] as string));
    const body = await app.place([
      "change_components",
      spawned[1] as string,
      "add_or_change",
      { material: { color: [0, 1, 0, 1] } },
      "remove",
      [],
    ]);
    expect(body).toEqual(["change_components", "ok"]);
    expect(place.world.get(spawned[1] as string)?.components.material).toEqual({ color: [0, 1, 0, 1] });
    await assertMirrorEqual(place, observer);
  });
});

describe("a null nested inside a component value", () => {
  it("is refused by spawn_entity, or reaches every mirror exactly as the place holds it", async () => {
    const body = await app.place(["spawn_entity", { custom: { kept: 1, gone: null } }]);
    if (body[1] !== "error") await assertMirrorEqual(place, observer);
    else expect(String(body[2])).toMatch(/null/);
  });

  it("is refused by change_components, or reaches every mirror exactly as the place holds it", async () => {
    const spawned = await app.place(["spawn_entity", { custom: { kept: 1 } }]);
    const body = await app.place([
      "change_components",
      spawned[1] as string,
      "add_or_change",
      { custom: { deep: { x: null } } },
      "remove",
      [],
    ]);
    if (body[1] !== "error") await assertMirrorEqual(place, observer);
    else expect(String(body[2])).toMatch(/null/);
  });
});
