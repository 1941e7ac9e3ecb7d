/**
 * Password hashes for `server.basicAuth.users[].passwordHash`, made with node's `crypto.scrypt`.
 *
 * Format (one line, fields separated by `$`):
 *
 * ```
 * scrypt$N$r$p$salt$hash
 * scrypt$16384$8$1$q3Xw…==$Zt0p…=
 * ```
 *
 * - `N` (CPU/memory cost, a power of two), `r` (block size), `p` (parallelism): decimal integers;
 * - `salt`: the random salt, standard base64 (16 bytes by default);
 * - `hash`: the derived key, standard base64 (32 bytes by default; its length sets the key length).
 *
 * `saker server hash-password` prints one. Plain passwords are never stored.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { SakerError } from "@saker/sdk";

export const DEFAULT_SCRYPT = { N: 16384, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

export interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, keyBytes: number, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, keyBytes, params, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Memory scrypt needs for these parameters (node refuses above its default of 32 MiB). */
function maxmem(N: number, r: number): number {
  return 128 * N * r * 2;
}

/** Reads a `scrypt$N$r$p$salt$hash` string; throws a clear error naming what is wrong. */
export function parsePasswordHash(text: string): ParsedHash {
  const parts = text.trim().split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") {
    throw new SakerError(
      "PASSWORD_HASH_INVALID",
      "a password hash must look like scrypt$N$r$p$salt$hash (make one with `saker server hash-password`)",
    );
  }
  const [N, r, p] = parts.slice(1, 4).map((x) => (/^\d+$/.test(x!) ? Number(x) : NaN)) as [number, number, number];
  if (!(N > 1 && (N & (N - 1)) === 0 && N <= 2 ** 20) || !(r >= 1 && r <= 64) || !(p >= 1 && p <= 16)) {
    throw new SakerError(
      "PASSWORD_HASH_INVALID",
      `a password hash has invalid scrypt parameters N=${parts[1]} r=${parts[2]} p=${parts[3]} (N a power of two up to 2^20, r 1-64, p 1-16)`,
    );
  }
  const salt = Buffer.from(parts[4]!, "base64");
  const hash = Buffer.from(parts[5]!, "base64");
  if (salt.length < 8 || hash.length < 16)
    throw new SakerError(
      "PASSWORD_HASH_INVALID",
      "a password hash needs a salt of at least 8 bytes and a hash of at least 16 bytes",
    );
  return { N, r, p, salt, hash };
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(
  password: string,
  params: { N?: number; r?: number; p?: number } = {},
): Promise<string> {
  const N = params.N ?? DEFAULT_SCRYPT.N;
  const r = params.r ?? DEFAULT_SCRYPT.r;
  const p = params.p ?? DEFAULT_SCRYPT.p;
  const salt = randomBytes(DEFAULT_SCRYPT.saltBytes);
  const hash = await derive(password, salt, DEFAULT_SCRYPT.keyBytes, { N, r, p, maxmem: maxmem(N, r) });
  const text = `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${hash.toString("base64")}`;
  parsePasswordHash(text);
  return text;
}

/** True when `password` matches the hash (constant-time comparison). */
export async function verifyPassword(password: string, hash: ParsedHash): Promise<boolean> {
  const key = await derive(password, hash.salt, hash.hash.length, {
    N: hash.N,
    r: hash.r,
    p: hash.p,
    maxmem: maxmem(hash.N, hash.r),
  });
  return timingSafeEqual(key, hash.hash);
}
