// Test harness: a real place on a free port, and raw agents that speak the wire protocol byte for byte.
// `import { startTestPlace, connectRawAgent } from "@allo/place/testing"`.
import { applyMergePatch, newRequestId, type Json, type WorldDocument } from "@allo/protocol";
import { WebSocket } from "ws";
import { startPlace, type Place } from "./place.ts";
import type { PlaceOptions } from "./types.ts";

/** A place on 127.0.0.1, port 0, logs quiet unless ALLO_LOG_LEVEL says otherwise. */
export function startTestPlace(options: PlaceOptions = {}): Promise<Place> {
  const level = (process.env.ALLO_LOG_LEVEL as PlaceOptions["logLevel"]) ?? "silent";
  return startPlace({ port: 0, host: "127.0.0.1", name: "Test place", logLevel: level, ...options });
}

// Loose on purpose: raw agents see whatever the place sends, including what a buggy place would send.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = any;

export interface RawAgentOptions {
  /** Acknowledge every state frame at once with an intent (default true). */
  autoAck?: boolean;
  /** How long next()/request() wait by default. */
  timeoutMs?: number;
  /** Answer the place's pings (default true); false plays a half-open connection. */
  autoPong?: boolean;
}

export interface RawAgent {
  readonly socket: WebSocket;
  /** Every message received, parsed (text frames that are not JSON are kept as strings). */
  readonly received: Message[];
  /** The world as this agent's state frames built it (docs/protocol.md §5), or undefined before the first frame. */
  readonly mirror: WorldDocument | undefined;
  /** Problems applying state frames (a merge from a revision this agent does not hold). Should stay empty. */
  readonly stateErrors: string[];
  avatarId: string | undefined;
  autoAck: boolean;
  send(message: unknown): void;
  /** Resolves with the first message from now on (or from `fromIndex`) that matches. */
  next(match?: (m: Message) => boolean, options?: { timeoutMs?: number; fromIndex?: number }): Promise<Message>;
  /** Resolves once `check` holds, checked after every message. */
  until(check: () => boolean, timeoutMs?: number): Promise<void>;
  announce(identity?: unknown, avatar?: unknown, version?: number): Promise<Message>;
  /** Sends a request and resolves with the matched response's body. Sender defaults to the avatar, receiver "place". */
  request(
    body: unknown[],
    options?: { sender?: string; receiver?: string; requestId?: string; timeoutMs?: number },
  ): Promise<Message>;
  oneway(body: unknown[], options?: { sender?: string; receiver?: string }): void;
  /** Sends an intent acknowledging `revision` (default: the mirror's). */
  ack(revision?: number): void;
  /** Resolves with the close code and reason once the place closes this connection. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export async function connectRawAgent(url: string, options: RawAgentOptions = {}): Promise<RawAgent> {
  const socket = new WebSocket(url, {
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
    autoPong: options.autoPong ?? true,
  });
  const received: Message[] = [];
  const listeners = new Set<() => void>();
  const history = new Map<number, WorldDocument>();
  const timeoutMs = options.timeoutMs ?? 5000;
  let mirror: WorldDocument | undefined;
  const stateErrors: string[] = [];

  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on("close", (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const l of listeners) l();
    });
  });

  function applyState(frame: Message): void {
    const { patch_style, patch_from, ...rest } = frame;
    if (patch_style === "set") {
      mirror = rest as WorldDocument;
    } else {
      const base = history.get(patch_from);
      if (!base) {
        stateErrors.push(`merge from ${patch_from}, which this agent does not hold`);
        agent.ack(0);
        return;
      }
      mirror = applyMergePatch(base as unknown as Json, rest as Json) as unknown as WorldDocument;
    }
    history.set(mirror.revision, mirror);
    if (history.size > 64) history.delete(history.keys().next().value!);
    if (agent.autoAck) agent.ack(mirror.revision);
  }

  socket.on("message", (data: Buffer, isBinary: boolean) => {
    let message: Message = data;
    if (!isBinary) {
      const text = data.toString();
      try {
        message = JSON.parse(text);
      } catch {
        message = text;
      }
      if (message && typeof message === "object" && !Array.isArray(message) && "patch_style" in message)
        applyState(message);
    }
    received.push(message);
    for (const l of [...listeners]) l();
  });

  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });

  const agent: RawAgent = {
    socket,
    received,
    get mirror() {
      return mirror;
    },
    stateErrors,
    avatarId: undefined,
    autoAck: options.autoAck ?? true,
    closed,
    send(message) {
      socket.send(typeof message === "string" || Buffer.isBuffer(message) ? message : JSON.stringify(message), {
        binary: Buffer.isBuffer(message),
      });
    },
    next(match = () => true, opts = {}) {
      let index = opts.fromIndex ?? received.length;
      return waitFor(
        () => {
          for (; index < received.length; index++) if (match(received[index])) return { found: received[index++] };
          return undefined;
        },
        opts.timeoutMs ?? timeoutMs,
        "an expected message",
      );
    },
    async until(check, ms = timeoutMs) {
      await waitFor(() => (check() ? { found: true } : undefined), ms, "a condition");
    },
    async announce(identity = { display_name: "raw agent" }, avatar = {}, version = 3) {
      const body = await agent.request(["announce", "version", version, "identity", identity, "spawn_avatar", avatar], {
        sender: "",
        receiver: "place",
      });
      if (typeof body[1] === "string" && body[1] !== "error") agent.avatarId = body[1];
      return body;
    },
    async request(body, opts = {}) {
      const requestId = opts.requestId ?? newRequestId();
      const from = received.length;
      agent.send([
        "interaction",
        "request",
        opts.sender ?? agent.avatarId ?? "",
        opts.receiver ?? "place",
        requestId,
        body,
      ]);
      const response = await agent.next(
        (m) => Array.isArray(m) && m[0] === "interaction" && m[1] === "response" && m[4] === requestId,
        {
          timeoutMs: opts.timeoutMs,
          fromIndex: from,
        },
      );
      return response[5];
    },
    oneway(body, opts = {}) {
      agent.send(["interaction", "oneway", opts.sender ?? agent.avatarId ?? "", opts.receiver ?? "place", "", body]);
    },
    ack(revision = mirror?.revision ?? 0) {
      if (socket.readyState === socket.OPEN) agent.send({ cmd: "intent", intent: { ack_state_rev: revision } });
    },
    async close() {
      if (socket.readyState === socket.CLOSED) return;
      socket.close();
      // A peer that does not answer the close handshake (a paused socket, a stalled place) is cut off.
      const timer = setTimeout(() => socket.terminate(), 1000);
      await closed;
      clearTimeout(timer);
    },
  };

  function waitFor<T>(poll: () => { found: T } | undefined, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const r = poll();
        if (r) {
          done();
          resolve(r.found);
        } else if (socket.readyState === socket.CLOSED) {
          done();
          reject(new Error(`connection closed while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      // Conditions on the place's side change without a message arriving: look again now and then too.
      const every = setInterval(check, 10);
      const done = () => {
        clearTimeout(timer);
        clearInterval(every);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  }

  return agent;
}
