// The agent's intent (movement, poses) and its state acknowledgement, `{"cmd":"intent"}` (docs/protocol.md §5, §6.1).
import type { Intent, IntentMessage } from "@allo/protocol";
import type { Connection } from "./connection.ts";

/** What setIntent accepts: any intent field but the ack, which the client manages. `poses` merge by pose name. */
export type IntentUpdate = Partial<Omit<Intent, "ack_state_rev">>;

/** Intents that only change movement or poses go out at most this often (the reference client's 20 Hz). */
export const INTENT_INTERVAL_MS = 50;
/**
 * Intents carrying a new ack go out on the next event-loop turn while this budget lasts: a burst of 50, refilled at
 * 100 a second. That keeps an agent that keeps up within 2 patches of its acks (the lag rule of docs/protocol.md §5)
 * through bursts, and far inside the place's rate limit (200 messages a second) when the place sends faster for long.
 */
export const ACK_BURST = 50;
export const ACKS_PER_SECOND = 100;
/** Without any other reason to send, an intent still goes out this often, so the place keeps hearing our ack. */
export const KEEPALIVE_INTERVAL_MS = 5_000;

/**
 * Keeps the current intent and sends it when it changes. A new ack goes out promptly (coalesced per event-loop turn),
 * so an agent that keeps up is never more than a patch or two behind in the place's eyes.
 */
export class IntentSender {
  private readonly intent: Intent = { xmovement: 0, zmovement: 0, yaw: 0, pitch: 0, poses: {}, ack_state_rev: 0 };
  private started = false;
  private dirty = false;
  private lastSentAt = -Infinity;
  private timer: { cancel(): void } | undefined;
  private timerDueAt = Infinity;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private tokens = ACK_BURST;
  private tokensAt = now();

  constructor(private readonly connection: Connection) {}

  /** The intent as it will next be sent (read-only). */
  get current(): Readonly<Intent> {
    return this.intent;
  }

  /** Starts sending (only after announce: docs/protocol.md §2 rule 1). Sends at once if anything is waiting. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.keepAlive = setInterval(() => {
      if (now() - this.lastSentAt >= KEEPALIVE_INTERVAL_MS) this.flush();
    }, KEEPALIVE_INTERVAL_MS / 2);
    if (this.dirty) this.schedule(0);
  }

  stop(): void {
    this.started = false;
    this.timer?.cancel();
    clearInterval(this.keepAlive);
    this.timer = this.keepAlive = undefined;
    this.timerDueAt = Infinity;
  }

  /** Records that the mirror now holds `revision` (0 asks the place for a full `set`). */
  acknowledge(revision: number): void {
    if (this.intent.ack_state_rev === revision) return;
    this.intent.ack_state_rev = revision;
    this.dirty = true;
    this.schedule(this.msUntilToken());
  }

  /** Merges fields into the intent; `poses` merge by pose name. */
  update(update: IntentUpdate): void {
    const { poses, ...fields } = update;
    Object.assign(this.intent, fields);
    if (poses) this.intent.poses = { ...this.intent.poses, ...poses };
    this.dirty = true;
    this.schedule(Math.max(this.msUntilToken(), this.lastSentAt + INTENT_INTERVAL_MS - now()));
  }

  // Sends after `delay` ms (0: on the next event-loop turn), or earlier if a send is already planned earlier.
  private schedule(delay: number): void {
    if (!this.started) return;
    const dueAt = now() + Math.max(0, delay);
    if (this.timer !== undefined && this.timerDueAt <= dueAt) return;
    this.timer?.cancel();
    this.timerDueAt = dueAt;
    this.timer = delay > 0 ? later(delay, () => this.flush()) : nextTurn(() => this.flush());
  }

  private refill(): void {
    const at = now();
    this.tokens = Math.min(ACK_BURST, this.tokens + ((at - this.tokensAt) / 1000) * ACKS_PER_SECOND);
    this.tokensAt = at;
  }

  private msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / ACKS_PER_SECOND) * 1000;
  }

  private flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerDueAt = Infinity;
    if (!this.started || !this.connection.isOpen) return;
    this.refill();
    this.tokens = Math.max(0, this.tokens - 1);
    const message: IntentMessage = { cmd: "intent", intent: this.intent };
    this.connection.send(message, "intent");
    this.lastSentAt = now();
    this.dirty = false;
  }
}

function later(ms: number, run: () => void): { cancel(): void } {
  const timer = setTimeout(run, ms);
  return { cancel: () => clearTimeout(timer) };
}

/**
 * Runs after the current event-loop turn, once every message already read was handled: Node's setImmediate runs
 * after the I/O phase, so all frames that arrived together are acknowledged by one intent. Browsers: setTimeout(0).
 */
function nextTurn(run: () => void): { cancel(): void } {
  if (typeof setImmediate === "function") {
    const immediate = setImmediate(run);
    return { cancel: () => clearImmediate(immediate) };
  }
  return later(0, run);
}

function now(): number {
  return performance.now();
}
