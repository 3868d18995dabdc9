// Random identifiers from crypto.getRandomValues (Node ≥ 20 and browsers alike).
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
// 62 * 4 = 248: bytes at or above it are rejected so every character is equally likely.
const LIMIT = 248;
const pool = new Uint8Array(1024);
let poolIndex = pool.length;

function randomByte(): number {
  if (poolIndex >= pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolIndex = 0;
  }
  return pool[poolIndex++];
}

/** A random string of `length` characters from [0-9a-zA-Z] (log2(62) ≈ 5.95 bits each). */
export function randomId(length: number): string {
  const chars: string[] = [];
  while (chars.length < length) {
    const b = randomByte();
    if (b < LIMIT) chars.push(ALPHABET[b % 62]);
  }
  // Joined, not built with +=: that makes a rope of cons cells in V8 (~390 B an id kept in a Map, not ~77 B).
  return chars.join("");
}

/** 22 characters ≈ 131 bits: collisions are not a concern across any number of places. */
export function newEntityId(): string {
  return randomId(22);
}

export function newAgentId(): string {
  return randomId(22);
}

/** Request ids need only be unique among one agent's outstanding requests; 16 characters ≈ 95 bits. */
export function newRequestId(): string {
  return randomId(16);
}
