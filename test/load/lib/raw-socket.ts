// A WebSocket client written on node:net, for the fault tests: it can send any frame, legal or not (RSV bits, bad
// opcodes, unmasked frames, invalid UTF-8, lying lengths), and it can stop reading altogether (a stalled reader).
// RFC 6455 §5.2 framing; the ws library's receiver tests cover the same classes (its test/receiver.test.js).
import { connect, type Socket } from "node:net";
import { createHash, randomBytes } from "node:crypto";

export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameOptions {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  /** RSV1..3 as a 3-bit number (1 = RSV3, 4 = RSV1). */
  rsv?: number;
  /** Clients must mask (RFC 6455 §5.3); false builds the illegal unmasked client frame. */
  mask?: boolean;
  /** Announce this payload length instead of the real one (a lie, for oversize tests). */
  declaredLength?: number | bigint;
}

/** Builds one frame exactly as told. */
export function buildFrame(o: FrameOptions): Buffer {
  const payload = typeof o.payload === "string" ? Buffer.from(o.payload) : (o.payload ?? Buffer.alloc(0));
  const mask = o.mask ?? true;
  const length = BigInt(o.declaredLength ?? payload.length);
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | (((o.rsv ?? 0) & 7) << 4) | (o.opcode & 0x0f)];
  const maskBit = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(length);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ key[i & 3];
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

export const textFrame = (text: string | Buffer, extra: Partial<FrameOptions> = {}) =>
  buildFrame({ opcode: Opcode.text, payload: text, ...extra });

export interface ServerFrame {
  opcode: number;
  fin: boolean;
  payload: Buffer;
}

/** A raw, handshaken WebSocket connection. */
export class RawSocket {
  frames: ServerFrame[] = [];
  /** Close code the server sent, if any (from a close frame). */
  closeCode?: number;
  ended = false;
  private pending: Buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once("close", () => ((this.ended = true), this.wake(), resolve())));
    socket.on("error", () => {}); // an RST from the server is an expected outcome of most fault cases
  }

  /** Opens a TCP connection and completes the HTTP upgrade by hand. */
  static async open(url: string, { readFrames = true } = {}): Promise<RawSocket> {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const key = randomBytes(16).toString("base64");
    socket.write(
      `GET ${u.pathname || "/"} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const accept = createHash("sha1")
      .update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
      .digest("base64");
    let head = Buffer.alloc(0);
    const rest = await new Promise<Buffer>((resolve, reject) => {
      const onData = (d: Buffer) => {
        head = Buffer.concat([head, d]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onData);
        const text = head.subarray(0, end).toString();
        if (!/^HTTP\/1\.1 101/.test(text) || !text.includes(accept))
          reject(new Error(`handshake refused: ${text.split("\r\n")[0]}`));
        else resolve(head.subarray(end + 4));
      };
      socket.on("data", onData);
      socket.once("error", reject);
    });
    const raw = new RawSocket(socket);
    if (readFrames) {
      raw.onData(rest);
      socket.on("data", (d: Buffer) => raw.onData(d));
    } else {
      // A stalled reader: never read again, so the kernel buffers fill and the server's send queue backs up.
      socket.pause();
    }
    return raw;
  }

  write(bytes: Buffer): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(bytes);
  }

  sendText(text: string): boolean {
    return this.write(textFrame(text));
  }

  /** Texts of the text frames received so far. */
  texts(): string[] {
    return this.frames.filter((f) => f.opcode === Opcode.text).map((f) => f.payload.toString());
  }

  /** Waits until `predicate` holds (checked on every frame and on close) or the time runs out. */
  async until(predicate: () => boolean, timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.ended) return predicate();
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    return true;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** An abrupt end: TCP RST instead of FIN. */
  reset(): void {
    const socket = this.socket as Socket & { resetAndDestroy?: () => void };
    if (socket.resetAndDestroy) socket.resetAndDestroy();
    else socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private onData(d: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    for (;;) {
      const f = parseServerFrame(this.pending);
      if (!f) break;
      this.pending = this.pending.subarray(f.size);
      this.frames.push(f.frame);
      if (f.frame.opcode === Opcode.close && f.frame.payload.length >= 2)
        this.closeCode = f.frame.payload.readUInt16BE(0);
    }
    this.wake();
  }
}

/** Parses one unmasked server frame from the front of buf, or returns undefined if it is incomplete. */
function parseServerFrame(buf: Buffer): { frame: ServerFrame; size: number } | undefined {
  if (buf.length < 2) return undefined;
  let len = buf[1] & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  if (buf.length < offset + len) return undefined;
  return {
    frame: {
      opcode: buf[0] & 0x0f,
      fin: (buf[0] & 0x80) !== 0,
      payload: Buffer.from(buf.subarray(offset, offset + len)),
    },
    size: offset + len,
  };
}
