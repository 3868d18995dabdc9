// A token bucket for world messages. The place drops, then disconnects, agents over 200 messages a second (burst
// 400, docs/protocol.md §5), and the client's acks share that budget; what does not fit waits for a later flush.
export class MessageBudget {
  private tokens: number;
  private refilledAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private fired: Promise<void> = Promise.resolve();
  private fire: () => void = () => {};

  constructor(
    /** Messages per second, sustained. */
    public rate = 80,
    public burst = 250,
  ) {
    this.tokens = burst;
  }

  /** Takes one message; when the bucket is empty, calls `retry` once a token is back and returns false. */
  take(retry: () => void): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens--;
      return true;
    }
    if (!this.timer) {
      const wait = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
      this.fired = new Promise((fired) => {
        this.fire = fired;
        this.timer = setTimeout(() => {
          this.timer = null;
          retry();
          fired();
        }, wait);
      });
    }
    return false;
  }

  /** Whether a retry is planned, and a promise for when it runs. */
  get waiting(): Promise<void> | null {
    return this.timer ? this.fired : null;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.fire();
  }
}
