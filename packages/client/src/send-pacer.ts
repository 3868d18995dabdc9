// Paces what the client writes to stay inside the place's per-agent rate limit (docs/protocol.md §5: a token bucket,
// 200 messages/s sustained, burst 400; over it, messages are dropped, and 5 s over it closes the connection).
// A dropped request would never be answered, so the client queues instead: order is kept, nothing is lost.

export interface SendBudget {
  perSecond: number;
  burst: number;
}

/** A little under the place's default budget, so jitter on the way cannot push a burst over it. */
export const DEFAULT_SEND_BUDGET: Readonly<SendBudget> = Object.freeze({ perSecond: 180, burst: 360 });

interface Queued {
  write: () => void;
  /** Writes with the same key replace each other while they wait (only the latest intent matters). */
  key?: string;
}

export class SendPacer {
  private tokens: number;
  private tokensAt = now();
  private readonly queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `false`: no pacing, every write goes out at once. */
  constructor(private readonly budget: Readonly<SendBudget> | false) {
    this.tokens = budget ? budget.burst : 0;
  }

  /** Messages waiting for budget. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Writes at once if the budget allows and nothing waits; otherwise queues, in order. `urgent` writes (clock sync,
   * whose round trip must not include queueing) go out at once and are still counted against the budget.
   */
  submit(write: () => void, options: { key?: string; urgent?: boolean } = {}): void {
    if (!this.budget) return write();
    this.refill();
    if (options.urgent || (this.queue.length === 0 && this.tokens >= 1)) {
      this.tokens -= 1;
      return write();
    }
    const waiting = options.key === undefined ? undefined : this.queue.find((q) => q.key === options.key);
    if (waiting) waiting.write = write;
    else this.queue.push({ write, key: options.key });
    this.scheduleDrain();
  }

  /** Forgets everything queued (the connection closed). */
  clear(): void {
    this.queue.length = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drain(): void {
    this.timer = undefined;
    this.refill();
    while (this.queue.length && this.tokens >= 1) {
      this.tokens -= 1;
      this.queue.shift()!.write();
    }
    if (this.queue.length) this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.timer !== undefined || !this.budget) return;
    const wait = ((1 - this.tokens) / this.budget.perSecond) * 1000;
    this.timer = setTimeout(() => this.drain(), Math.max(1, wait));
  }

  private refill(): void {
    if (!this.budget) return;
    const at = now();
    this.tokens = Math.min(this.budget.burst, this.tokens + ((at - this.tokensAt) / 1000) * this.budget.perSecond);
    this.tokensAt = at;
  }
}

function now(): number {
  return performance.now();
}
