// The agent's intent (movement, poses) and its state acknowledgement, sent as `{"cmd":"intent"}` (PROTOCOL.md §5, §6.1).
import type { Intent, IntentMessage } from "@allo/protocol";
import type { Connection } from "./connection.ts";

/** What setIntent accepts: any intent field but the ack, which the client manages. `poses` merge by pose name. */
export type IntentUpdate = Partial<Omit<Intent, "ack_state_rev">>;

/** Intents that only change movement or poses go out at most this often (the reference client's 20 Hz). */
export const INTENT_INTERVAL_MS = 50;
/** Intents carrying a new ack go out on the next event-loop turn, but at most this often, to stay inside the place's rate limit. */
export const ACK_INTERVAL_MS = 10;
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
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDueAt = Infinity;
  private keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly connection: Connection) {}

  /** The intent as it will next be sent (read-only). */
  get current(): Readonly<Intent> {
    return this.intent;
  }

  /** Starts sending (only after announce: PROTOCOL.md §2 rule 1). Sends at once if anything is waiting. */
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
    clearTimeout(this.timer);
    clearInterval(this.keepAlive);
    this.timer = this.keepAlive = undefined;
    this.timerDueAt = Infinity;
  }

  /** Records that the mirror now holds `revision` (0 asks the place for a full `set`). */
  acknowledge(revision: number): void {
    if (this.intent.ack_state_rev === revision) return;
    this.intent.ack_state_rev = revision;
    this.dirty = true;
    this.schedule(ACK_INTERVAL_MS);
  }

  /** Merges fields into the intent; `poses` merge by pose name. */
  update(update: IntentUpdate): void {
    const { poses, ...fields } = update;
    Object.assign(this.intent, fields);
    if (poses) this.intent.poses = { ...this.intent.poses, ...poses };
    this.dirty = true;
    this.schedule(INTENT_INTERVAL_MS);
  }

  // Sends no sooner than `interval` after the last intent, and never later than a send already planned.
  private schedule(interval: number): void {
    if (!this.started) return;
    const dueAt = Math.max(now(), this.lastSentAt + interval);
    if (this.timer !== undefined && this.timerDueAt <= dueAt) return;
    clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => this.flush(), Math.max(0, dueAt - now()));
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueAt = Infinity;
    if (!this.started || !this.connection.isOpen) return;
    const message: IntentMessage = { cmd: "intent", intent: this.intent };
    this.connection.send(message, "intent");
    this.lastSentAt = now();
    this.dirty = false;
  }
}

function now(): number {
  return performance.now();
}
