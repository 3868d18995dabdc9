// A server-to-client WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, unmasked), built once for a state every
// agent on the same base gets: each agent's send is then one write of the same bytes, where ws.send would build a
// header, two chunks and a writev for every agent (docs/performance.md, fan-out).

/** Header bytes of a frame whose payload is `length` bytes. */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/** The text `json` as one frame; `payloadOf` gives the JSON bytes back. */
export function textFrame(json: string): Buffer {
  const length = Buffer.byteLength(json);
  const head = headerLength(length);
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81;
  if (head === 2) {
    frame[1] = length;
  } else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(json, head);
  return frame;
}

/** The payload of a frame made by `textFrame` (no copy). */
export function payloadOf(frame: Buffer): Buffer {
  const code = frame[1] & 0x7f;
  return frame.subarray(code < 126 ? 2 : code === 126 ? 4 : 10);
}
