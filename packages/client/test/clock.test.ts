import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startTestBed, type TestBed } from "./harness.ts";

let bed: TestBed;
beforeEach(async () => (bed = await startTestBed()));
afterEach(() => bed.teardown());

describe("clock sync", () => {
  it("estimates the place's clock within half the round trip of its best sample", async () => {
    const alice = await bed.join("alice");
    // The place and this test share one process and one monotonic clock, so the true server time is known exactly.
    const estimate = alice.serverTime();
    const truth = bed.place.ctx.serverTime();
    expect(alice.rtt).toBeGreaterThanOrEqual(0);
    expect(Math.abs(estimate - truth)).toBeLessThanOrEqual(alice.rtt / 2 + 1e-6);
  });

  it("keeps syncing after connect", async () => {
    const alice = await bed.join("alice");
    await vi.waitFor(() => expect(alice.stats.sentByName.clock).toBeGreaterThanOrEqual(2), {
      timeout: 3000,
      interval: 100,
    });
    await vi.waitFor(() => expect(alice.stats.receivedByName.clock).toBeGreaterThanOrEqual(2), { timeout: 1000 });
    expect(Math.abs(alice.serverTime() - bed.place.ctx.serverTime())).toBeLessThanOrEqual(alice.rtt / 2 + 1e-6);
  });
});
