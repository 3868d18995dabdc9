// One WebSocket to the place: opening it, text framing (a JSON message a frame, docs/protocol.md §1), counts, closing.
import { Subject } from "rxjs";
import { PARSE_LIMITS, parsePlaceMessage, type Logger, type ParseLimits, type PlaceMessage } from "@allo/protocol";
import { AlloError, PlaceUnreachableError } from "./errors.ts";
import { DEFAULT_SEND_BUDGET, SendPacer, type SendBudget } from "./send-pacer.ts";

/** The part of the WebSocket API the client uses: the browser's WebSocket and `ws` both provide it. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;
const CLOSED = 3;
/** How long close() waits for the place's close frame before cutting the connection. */
const CLOSE_HANDSHAKE_MS = 2_000;

/**
 * Parse limits for what the place sends. Its frames are validated like any untrusted input, but a whole world (a `set`
 * with thousands of entities) must fit, so the per-object and per-array limits are far above the place's own.
 */
export const PLACE_MESSAGE_LIMITS: Partial<ParseLimits> = {
  // A component the place accepted in an interaction sits a few levels deeper in a state frame.
  maxDepth: PARSE_LIMITS.maxDepth + 8,
  maxKeysPerObject: 1_000_000,
  maxArrayLength: 1_000_000,
  maxStringLength: 16 * 1024 * 1024,
};

/** Traffic counters, updated as frames go out and come in. */
export interface ConnectionStats {
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
  bytesReceived: number;
  /** Sent messages by interaction name, plus "intent" and "clock". */
  sentByName: Record<string, number>;
  /** Received messages by interaction name, plus "state" and "clock". */
  receivedByName: Record<string, number>;
  /** Messages waiting for send budget right now (see send-pacer.ts). */
  readonly messagesQueued: number;
  /** Text frames that were not a valid place message, and binary frames of an unknown kind. */
  invalidMessagesReceived: number;
}

export interface ConnectionClose {
  code: number;
  reason: string;
  /** True when this side called close(). */
  byClient: boolean;
}

export interface OpenConnectionOptions {
  WebSocket?: WebSocketConstructor;
  /** Milliseconds to wait for the socket to open. */
  timeout: number;
  logger: Logger;
  /** Pacing of what is sent (default 180/s, burst 360: under the place's limit); false sends everything at once. */
  sendBudget?: SendBudget | false;
}

/** Where a connection delivers what it receives. */
export interface ConnectionHandlers {
  onMessage(message: PlaceMessage): void;
  onClose(close: ConnectionClose): void;
}

/** An open WebSocket to a place. Send with send(); incoming messages arrive validated, through attach()'s handlers. */
export class Connection {
  readonly stats: ConnectionStats;
  private readonly pacer: SendPacer;
  /** Every text frame sent, after it was handed to the socket. */
  readonly outgoing$ = new Subject<{ text: string }>();
  /** Binary frames from the place, channel byte first (docs/protocol.md §1: media 0/4, assets 3). Used by assets.ts. */
  readonly binary$ = new Subject<Uint8Array>();
  private closedByClient = false;
  private corked = false;
  private warnedInvalid = false;
  private handlers: ConnectionHandlers | undefined;
  // What arrives before attach() is held, never dropped.
  private readonly early: PlaceMessage[] = [];
  private earlyClose: ConnectionClose | undefined;

  private constructor(
    readonly url: string,
    private readonly socket: WebSocketLike,
    private readonly options: OpenConnectionOptions,
  ) {
    const pacer = (this.pacer = new SendPacer(options.sendBudget ?? DEFAULT_SEND_BUDGET));
    this.stats = {
      messagesSent: 0,
      bytesSent: 0,
      messagesReceived: 0,
      bytesReceived: 0,
      sentByName: {},
      receivedByName: {},
      get messagesQueued() {
        return pacer.queued;
      },
      invalidMessagesReceived: 0,
    };
  }

  /** Opens a WebSocket to `url` (already a ws:// or wss:// URL). Rejects with PlaceUnreachableError. */
  static async open(url: string, options: OpenConnectionOptions): Promise<Connection> {
    const WebSocketImpl = options.WebSocket ?? (await defaultWebSocket());
    let socket: WebSocketLike;
    try {
      socket = new WebSocketImpl(url);
    } catch (error) {
      throw new PlaceUnreachableError(url, describe(error), error);
    }
    socket.binaryType = "arraybuffer";
    await new Promise<void>((resolve, reject) => {
      let lastError: unknown;
      const fail = (reason: string, cause?: unknown) => {
        clearTimeout(timer);
        socket.onopen = socket.onerror = socket.onclose = null;
        reject(new PlaceUnreachableError(url, reason, cause));
      };
      const timer = setTimeout(() => {
        fail(`no WebSocket connection within ${options.timeout} ms`);
        socket.close();
      }, options.timeout);
      socket.onopen = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.onerror = (event) => {
        lastError = event;
      };
      socket.onclose = (event) =>
        fail(lastError ? describe(lastError) : `closed with code ${event.code} before opening`, lastError);
    });
    const connection = new Connection(url, socket, options);
    connection.listen();
    return connection;
  }

  /** Starts delivering messages (and the close) to `handlers`, beginning with any that arrived before. */
  attach(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
    for (const message of this.early.splice(0)) handlers.onMessage(message);
    if (this.earlyClose) handlers.onClose(this.earlyClose);
  }

  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /**
   * Serialises and sends one message, in order, paced to the send budget. `name` is what stats count it as. A waiting
   * intent is replaced by a newer one; clock messages are never delayed. Throws if the socket is not open.
   */
  send(message: unknown, name: string): void {
    if (!this.isOpen) throw new AlloError(`Cannot send "${name}": the connection to ${this.url} is closed.`);
    const text = JSON.stringify(message);
    const write = () => {
      if (!this.isOpen) return;
      this.corkForTurn();
      this.socket.send(text);
      this.stats.messagesSent++;
      this.stats.bytesSent += utf8Length(text);
      this.stats.sentByName[name] = (this.stats.sentByName[name] ?? 0) + 1;
      this.outgoing$.next({ text });
    };
    this.pacer.submit(write, name === "intent" ? { key: "intent" } : { urgent: name === "clock" });
  }

  /** Sends one binary frame (channel byte first), in order with the rest. Throws if the socket is not open. */
  sendBinary(frame: Uint8Array): void {
    if (!this.isOpen) throw new AlloError(`Cannot send a binary frame: the connection to ${this.url} is closed.`);
    this.pacer.submit(() => {
      if (!this.isOpen) return;
      this.corkForTurn();
      this.socket.send(frame);
      this.stats.messagesSent++;
      this.stats.bytesSent += frame.byteLength;
    });
  }

  /** Closes the socket; onClose follows when it has closed. A peer that does not answer the close is cut off. */
  close(code = 1000, reason = "client closed"): void {
    this.closedByClient = true;
    this.socket.close(code, reason);
    const socket = this.socket as WebSocketLike & { terminate?: () => void };
    if (typeof socket.terminate === "function") {
      // `ws` would wait 30 s for the peer's close frame; browsers end the socket themselves.
      const timer = setTimeout(() => socket.readyState !== CLOSED && socket.terminate!(), CLOSE_HANDSHAKE_MS);
      (timer as { unref?: () => void }).unref?.();
    }
  }

  /**
   * `ws` writes every frame with a syscall of its own; corked until the end of the current microtask, the frames sent
   * together (a renderer's flush: one change_components per entity) leave in one writev. The idea of websockets/ws#2214,
   * which ws did not take. Browsers' WebSocket has no `_socket` and batches by itself.
   */
  private corkForTurn(): void {
    if (this.corked) return;
    const raw = (this.socket as { _socket?: { cork?: () => void; uncork(): void } })._socket;
    if (typeof raw?.cork !== "function") return;
    this.corked = true;
    raw.cork();
    queueMicrotask(() => {
      this.corked = false;
      raw.uncork();
    });
  }

  private listen(): void {
    const { logger } = this.options;
    const emitter = this.socket as Partial<MessageEmitter>;
    let stopListening = () => void (this.socket.onmessage = null);
    if (typeof emitter.on === "function" && typeof emitter.off === "function") {
      // `ws`: its own message event gives a text frame's bytes, which frameText turns into text far faster than the
      // UTF-8 decode ws does for onmessage (~1 ms instead of ~25 for a 7.5 MB set frame).
      const onMessage = (data: unknown, isBinary: boolean) => {
        if (isBinary || !isFrameBytes(data)) this.receive(data);
        else this.receiveText(frameText(data), data.byteLength);
      };
      emitter.on("message", onMessage);
      stopListening = () => void emitter.off!("message", onMessage);
    } else {
      this.socket.onmessage = (event) => this.receive(event.data);
    }
    this.socket.onerror = (event) => logger.debug("socket error", { error: describe(event) });
    this.socket.onclose = (event) => {
      stopListening();
      this.socket.onerror = this.socket.onclose = null;
      this.pacer.clear();
      this.outgoing$.complete();
      this.binary$.complete();
      const close = { code: event.code, reason: event.reason, byClient: this.closedByClient };
      if (this.handlers) this.handlers.onClose(close);
      else this.earlyClose = close;
    };
  }

  /** A frame as the browser's WebSocket (or a binary frame as ws) delivers it: text as a string, binary as bytes. */
  private receive(data: unknown): void {
    if (typeof data === "string") return this.receiveText(data, utf8Length(data));
    this.stats.messagesReceived++;
    // Binary frames carry media and assets (docs/protocol.md §1, §9): handed to binary$ (assets.ts listens).
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : undefined;
    this.stats.bytesReceived += bytes?.byteLength ?? 0;
    if (bytes) this.binary$.next(bytes);
    else this.stats.invalidMessagesReceived++;
  }

  private receiveText(data: string, byteLength: number): void {
    this.stats.messagesReceived++;
    this.stats.bytesReceived += byteLength;
    const parsed = parsePlaceMessage(data, PLACE_MESSAGE_LIMITS);
    if (!parsed.ok) {
      this.stats.invalidMessagesReceived++;
      // A broken place should not flood the log: warn once, then keep counting.
      if (!this.warnedInvalid)
        this.options.logger.warn("ignored an invalid message from the place", { error: parsed.error });
      this.warnedInvalid = true;
      return;
    }
    const message = parsed.value;
    const name = message.kind === "interaction" ? message.interaction.body[0] : message.kind;
    this.stats.receivedByName[name] = (this.stats.receivedByName[name] ?? 0) + 1;
    if (this.handlers) this.handlers.onMessage(message);
    else this.early.push(message);
  }
}

/** Browsers: the global WebSocket. Node: the `ws` package, imported only here so browser bundles never need it. */
async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  if (!isNode && typeof globalThis.WebSocket === "function")
    return globalThis.WebSocket as unknown as WebSocketConstructor;
  const wsModule = "ws"; // a variable, so bundlers do not try to resolve `ws` for the browser
  try {
    const ws = (await import(/* @vite-ignore */ wsModule)) as { WebSocket: WebSocketConstructor };
    return ws.WebSocket;
  } catch (error) {
    if (typeof globalThis.WebSocket === "function") return globalThis.WebSocket as unknown as WebSocketConstructor;
    throw new AlloError(`No WebSocket implementation: install the "ws" package or pass { WebSocket } to connect().`, {
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  const inner =
    (error as { error?: unknown; message?: unknown } | null)?.error ?? (error as { message?: unknown } | null)?.message;
  if (inner instanceof Error) return inner.message;
  if (typeof inner === "string" && inner) return inner;
  return "the WebSocket failed";
}

/** `ws`'s EventEmitter side, which hands over a text frame's bytes undecoded. Browsers' WebSocket has none. */
interface MessageEmitter {
  on(event: "message", listener: (data: unknown, isBinary: boolean) => void): unknown;
  off(event: "message", listener: (data: unknown, isBinary: boolean) => void): unknown;
}

/** A Node Buffer, as `ws` gives a text frame (UTF-8 it has already checked, RFC 6455 §8.1). */
export interface FrameBytes extends Uint8Array {
  toString(encoding?: "latin1" | "utf8"): string;
}

function isFrameBytes(data: unknown): data is FrameBytes {
  return (globalThis as { Buffer?: { isBuffer(value: unknown): boolean } }).Buffer?.isBuffer(data) === true;
}

let isAscii: ((bytes: Uint8Array) => boolean) | null | undefined;

/**
 * The text of a frame's UTF-8 bytes. ASCII bytes (the place's JSON, unless a string in it holds other characters)
 * are the same text in Latin-1, which Node copies straight into a string: ~0.5 ms for a 7.5 MB set frame, where the
 * UTF-8 decode takes ~25 ms on Node 20. The ASCII test is node:buffer's isAscii (SIMD, ~0.4 ms); without it
 * (Node before 20.16 has no process.getBuiltinModule) every frame takes the UTF-8 decode.
 */
export function frameText(bytes: FrameBytes): string {
  if (isAscii === undefined) {
    const buffer = (
      globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
    ).process?.getBuiltinModule?.("node:buffer");
    isAscii = (buffer as { isAscii?: (bytes: Uint8Array) => boolean } | undefined)?.isAscii ?? null;
  }
  return isAscii !== null && isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/** Bytes of a string in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 2; // a surrogate pair: 4 bytes for its 2 UTF-16 units
      i++;
    } else bytes += 2;
  }
  return bytes;
}
