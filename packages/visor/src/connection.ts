// Keeps the visor connected to its place: connect, run a session, and when the connection is lost, reconnect by
// itself with a capped backoff. Each connection is one session; everything it built is torn down when it ends.
import { connect, type AlloClient, type Identity } from "@allo/client";
import { createLogger, type EntitySpec } from "@allo/protocol";

// In the browser the client's log lines go to the console at their own level (errors only for errors).
const clientLogger = createLogger("client", "info", (line) =>
  line.includes(" ERROR ") ? console.error(line) : console.warn(line),
);

export type VisorClient = AlloClient;

export type ConnectionPhase = "connecting" | "connected" | "waiting" | "stopped";
export interface ConnectionState {
  phase: ConnectionPhase;
  placeUrl: string;
  placeName?: string;
  attempt: number;
  /** Why the last connection ended or failed, readable. */
  error?: string;
  /** When phase is "waiting": milliseconds until the next attempt. */
  retryInMs?: number;
}

export interface KeepConnectedOptions {
  placeUrl: string;
  identity: Identity;
  avatar: () => EntitySpec;
  /** Called for each live connection; returns the teardown for that session. */
  onSession: (client: VisorClient) => () => void;
  onState: (state: ConnectionState) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface Connection {
  readonly state: ConnectionState;
  /** Drop the current connection and connect again now. */
  reconnectNow(): void;
  stop(): void;
}

export function keepConnected(options: KeepConnectedOptions): Connection {
  const minDelay = options.minDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 5000;
  let state: ConnectionState = { phase: "connecting", placeUrl: options.placeUrl, attempt: 0 };
  let stopped = false;
  let current: VisorClient | undefined;
  let wake: (() => void) | undefined;

  const setState = (next: Partial<ConnectionState>) => {
    state = { ...state, ...next };
    options.onState(state);
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function loop(): Promise<void> {
    let delay = minDelay;
    while (!stopped) {
      setState({ phase: "connecting", attempt: state.attempt + 1, retryInMs: undefined });
      let client: VisorClient;
      try {
        client = await connect(options.placeUrl, {
          identity: options.identity,
          avatar: options.avatar(),
          logger: clientLogger,
        });
      } catch (error) {
        if (stopped) break;
        setState({ phase: "waiting", error: describe(error), retryInMs: delay });
        await sleep(delay);
        delay = Math.min(maxDelay, delay * 2);
        continue;
      }
      if (stopped) {
        void client.close();
        break;
      }
      current = client;
      const connectedAt = Date.now();
      setState({ phase: "connected", placeName: client.placeName, error: undefined, attempt: 0 });
      const teardown = options.onSession(client);
      const closed = await client.closed;
      current = undefined;
      teardown();
      if (stopped) break;
      if (Date.now() - connectedAt > 5000) delay = minDelay; // a connection that lived a while resets the backoff
      const why = closed.error
        ? describe(closed.error)
        : `closed (${closed.code}${closed.reason ? ` ${closed.reason}` : ""})`;
      setState({ phase: "waiting", error: why, retryInMs: delay });
      await sleep(delay);
      delay = Math.min(maxDelay, delay * 2);
    }
    setState({ phase: "stopped" });
  }

  void loop();
  return {
    get state() {
      return state;
    },
    reconnectNow() {
      if (current) void current.close();
      else wake?.();
    },
    stop() {
      stopped = true;
      void current?.close();
      wake?.();
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
