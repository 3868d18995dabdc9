// Clock sync with the place (docs/protocol.md §7): estimates the place's monotonic clock, in seconds.
import type { ClockMessage } from "@allo/protocol";
import type { Connection } from "./connection.ts";

/** Syncs this often at start, for the first few samples… */
export const CLOCK_SYNC_FAST_MS = 1_000;
const FAST_SAMPLES = 5;
/** …then this often. */
export const CLOCK_SYNC_SLOW_MS = 5_000;
/** The estimate uses the sample with the shortest round trip among the last few: it has the least uncertainty. */
const KEPT_SAMPLES = 8;

interface Sample {
  rtt: number;
  /** server time minus local time, seconds */
  offset: number;
}

export class ClockSync {
  private readonly samples: Sample[] = [];
  private best: Sample | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sent = 0;
  private resolveSynced!: () => void;
  /** Resolves after the first reply from the place. */
  readonly synced = new Promise<void>((resolve) => (this.resolveSynced = resolve));

  constructor(private readonly connection: Connection) {}

  /** Starts syncing (after announce: docs/protocol.md §2 rule 1). */
  start(): void {
    if (this.timer === undefined) this.tick();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The place's answer to one of our clock messages: estimate = server_time + rtt/2 at receipt. */
  receive(clientTime: number, serverTime: number): void {
    const receivedAt = localSeconds();
    const rtt = receivedAt - clientTime;
    if (!(rtt >= 0 && rtt < 60)) return; // not an answer to a message of ours
    this.samples.push({ rtt, offset: serverTime + rtt / 2 - receivedAt });
    if (this.samples.length > KEPT_SAMPLES) this.samples.shift();
    this.best = this.samples.reduce((a, b) => (b.rtt <= a.rtt ? b : a));
    this.resolveSynced();
  }

  /** Whether at least one sample arrived. */
  get isSynced(): boolean {
    return this.best !== undefined;
  }

  /** The place's clock now, in seconds (NaN before the first sample; connect() waits for it). */
  serverTime(): number {
    return this.best ? localSeconds() + this.best.offset : NaN;
  }

  /** The round trip of the sample in use, in seconds. */
  get rtt(): number {
    return this.best?.rtt ?? NaN;
  }

  private tick(): void {
    if (this.connection.isOpen) {
      const message: ClockMessage = { cmd: "clock", client_time: localSeconds() };
      this.connection.send(message, "clock");
      this.sent++;
    }
    this.timer = setTimeout(() => this.tick(), this.sent < FAST_SAMPLES ? CLOCK_SYNC_FAST_MS : CLOCK_SYNC_SLOW_MS);
  }
}

/** This process's monotonic clock, in seconds. */
export function localSeconds(): number {
  return performance.now() / 1000;
}
