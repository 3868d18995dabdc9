// Closing a place (docs/protocol.md §1): every agent gets the close code and reason the caller gave (1012 for a
// restart), and nothing new is let in once closing has started.
import { describe, expect, it } from "vitest";
import { connectRawAgent, startTestPlace } from "../src/testing.ts";

describe("close", () => {
  it("closes every agent with 1001 'place is closing' by default", async () => {
    const place = await startTestPlace();
    const agent = await connectRawAgent(place.url);
    await agent.announce({ display_name: "a" }, {});
    await place.close();
    expect(await agent.closed).toEqual({ code: 1001, reason: "place is closing" });
  });

  it("closes every agent, announced or not, with 1012 and the reason given for a restart, and waits for their sockets", async () => {
    const place = await startTestPlace();
    const announced = await connectRawAgent(place.url);
    await announced.announce({ display_name: "a" }, {});
    const silent = await connectRawAgent(place.url);
    await place.close({ code: 1012, reason: "place restarting" });
    expect(await announced.closed).toEqual({ code: 1012, reason: "place restarting" });
    expect(await silent.closed).toEqual({ code: 1012, reason: "place restarting" });
    expect(place.agents.size).toBe(0);
    await expect(connectRawAgent(place.url, { timeoutMs: 2000 })).rejects.toThrow();
  });
});
