import { afterEach, describe, expect, it } from "vitest";
import { connectRawAgent, startTestPlace } from "../src/testing.ts";
import type { Place } from "../src/place.ts";

let place: Place;
afterEach(async () => place?.close());

describe("smoke", () => {
  it("announces, spawns and streams state", async () => {
    place = await startTestPlace();
    const a = await connectRawAgent(place.url);
    const r = await a.announce({ display_name: "a" }, { geometry: { type: "hardcoded-model", name: "x" } });
    expect(r[0]).toBe("announce");
    expect(r[2]).toBe("Test place");
    await a.until(() => a.mirror?.entities[a.avatarId!] !== undefined);
    const s = await a.request(["spawn_entity", { text: { string: "hi" }, children: [{}, { children: [{}] }] }]);
    expect(s[0]).toBe("spawn_entity");
    expect(s[2]).toHaveLength(3);
    await a.until(() => a.mirror?.entities[s[2][2]] !== undefined);
    expect(a.mirror!.entities[s[2][2]].components.relationships).toEqual({ parent: s[2][1] });
    expect(JSON.parse(JSON.stringify(place.world.toDocument()))).toEqual(a.mirror);
  });
});
