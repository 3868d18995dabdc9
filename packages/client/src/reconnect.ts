// Reconnecting: which closes are retried, the backoff between attempts, and the connection state an app observes.

/** How a client reconnects after the place went away. All times in milliseconds. */
export interface ReconnectOptions {
  /** The delay before the first attempt. Default 250. */
  initialDelay?: number;
  /** The delay doubles (×factor) after each failed attempt, up to this cap. Default 2 500. */
  maxDelay?: number;
  /** Default 2. */
  factor?: number;
  /** Each delay is shortened by up to this fraction at random, so many apps do not knock at once. Default 0.5. */
  jitter?: number;
  /** Give up (and close for good) after this many failed attempts. Default: no limit but giveUpAfter. */
  maxAttempts?: number;
  /** Give up once the place has been away this long. Default 300 000 (5 minutes). */
  giveUpAfter?: number;
}

export const DEFAULT_RECONNECT: Required<ReconnectOptions> = {
  initialDelay: 250,
  maxDelay: 2_500,
  factor: 2,
  jitter: 0.5,
  maxAttempts: Infinity,
  giveUpAfter: 300_000,
};

/** How the last connection ended. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * Where the client stands:
 * - `connecting`: the first connect is under way;
 * - `connected`: announced, avatar in the mirror, clock synced (`attempts` it took, 0 for the first connect);
 * - `reconnecting`: the place went away; attempt `attempt` starts after `delay` ms (`since`: when it went away);
 * - `closed`: for good — `why` says whether this side closed, the place closed for good, or the retries gave up.
 */
export type ConnectionState =
  | { status: "connecting" }
  | { status: "connected"; avatarId: string; placeName: string; reconnects: number }
  | { status: "reconnecting"; attempt: number; delay: number; since: number; lastClose: CloseInfo; lastError?: string }
  | { status: "closed"; why: "closed by client" | "closed by place" | "gave up"; code: number; reason: string };

/**
 * Close codes that mean the place went away and may come back (RFC 6455 §7.4.1): going away, no status, abnormal
 * close, internal error, service restart (docs/protocol.md §1), try again later, bad gateway. Anything else (kicked,
 * announce refused, a normal close, a policy violation) is final.
 */
const RETRIED_CODES = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014]);

export function isRetriedClose(code: number): boolean {
  return RETRIED_CODES.has(code);
}

/** The delay before attempt `attempt` (1-based): exponential, capped, with jitter. */
export function backoffDelay(attempt: number, options: Required<ReconnectOptions>, random = Math.random): number {
  const exponential = options.initialDelay * options.factor ** Math.max(0, attempt - 1);
  const capped = Math.min(options.maxDelay, exponential);
  return Math.round(capped * (1 - options.jitter * random()));
}

/** The options with defaults filled in; false or undefined turns reconnecting off. */
export function reconnectPolicy(option: ReconnectOptions | boolean | undefined): Required<ReconnectOptions> | null {
  if (!option) return null;
  const given = option === true ? {} : option;
  const policy = { ...DEFAULT_RECONNECT };
  for (const key of Object.keys(policy) as Array<keyof ReconnectOptions>) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || Number.isNaN(value) || value < 0)
      throw new RangeError(`reconnect.${key} must be a number ≥ 0, got ${String(value)}`);
    policy[key] = value;
  }
  if (policy.jitter > 1) throw new RangeError(`reconnect.jitter must be between 0 and 1, got ${policy.jitter}`);
  return policy;
}
