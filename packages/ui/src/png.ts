// png(width, height, pixels): an image an app generates, encoded as PNG bytes for asset() (textures,
// docs/protocol.md §9). 8-bit RGBA, one deflate stream, no filtering: small code, and what every image decoder reads.
import { deflateSync } from "node:zlib";

export type Rgba = [number, number, number, number];

/**
 * A PNG of `width` × `height` pixels, top row first. `pixels` is RGBA bytes (width × height × 4), or a function
 * giving each pixel's [r, g, b, a] (0..255).
 */
export function png(width: number, height: number, pixels: Uint8Array | ((x: number, y: number) => Rgba)): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`png(): width and height must be positive integers, got ${width} × ${height}`);
  }
  if (pixels instanceof Uint8Array && pixels.length !== width * height * 4) {
    throw new Error(`png(): ${width} × ${height} RGBA pixels are ${width * height * 4} bytes, got ${pixels.length}`);
  }
  const stride = width * 4 + 1;
  const raw = new Uint8Array(stride * height); // each row: filter type 0 (none), then its pixels
  for (let y = 0; y < height; y++) {
    if (pixels instanceof Uint8Array) raw.set(pixels.subarray(y * width * 4, (y + 1) * width * 4), y * stride + 1);
    else for (let x = 0; x < width; x++) raw.set(pixels(x, y), y * stride + 1 + x * 4);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, adaptive filtering, no interlace
  return concat([SIGNATURE, chunk("IHDR", header), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array(0))]);
}

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

let table: Uint32Array | undefined;

/** CRC-32 (ISO 3309) as PNG chunks carry it; zlib.crc32 needs Node ≥ 20.15. */
function crc32(bytes: Uint8Array): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of bytes) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
