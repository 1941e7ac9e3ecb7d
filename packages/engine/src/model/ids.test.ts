import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base62, friendlyId, randomFriendlyId } from "./ids.ts";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The former BigInt conversion, as the reference. */
function reference(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out || "0";
}

describe("friendlyId", () => {
  it("writes 128 bits in base 62 as the BigInt conversion does", () => {
    const cases = [
      Buffer.alloc(16),
      Buffer.alloc(16, 0xff),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 61]),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 62]),
      Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
    ];
    for (let i = 0; i < 2000; i++) cases.push(randomBytes(16));
    for (const bytes of cases) expect(base62(bytes)).toBe(reference(bytes));
  });

  it("pads with zeros to the width asked for, and never cuts a longer number", () => {
    const small = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 61]);
    expect(base62(small, 0, 22)).toBe("z".padStart(22, "0"));
    expect(base62(Buffer.alloc(16), 0, 22)).toBe("0".repeat(22));
    expect(base62(Buffer.alloc(16, 0xff), 0, 5)).toBe(reference(Buffer.alloc(16, 0xff)));
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(16);
      expect(base62(bytes, 0, 22)).toBe(reference(bytes).padStart(22, "0"));
    }
  });

  it("reads the 16 bytes at an offset", () => {
    const bytes = randomBytes(48);
    expect(base62(bytes, 16)).toBe(reference(bytes.subarray(16, 32)));
  });

  /** The UUID an id writes, in hex. */
  const uuidOf = (id: string) => {
    let n = 0n;
    for (const c of id) n = n * 62n + BigInt(ALPHABET.indexOf(c));
    return n.toString(16).padStart(32, "0");
  };

  it("gives distinct version-7 UUIDs of 22 characters, across refills of its random pool", () => {
    const before = Date.now();
    const ids = Array.from({ length: 1000 }, () => friendlyId());
    const after = Date.now();
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
      const hex = uuidOf(id);
      expect(hex[12]).toBe("7");
      expect("89ab").toContain(hex[16]);
      // the first 48 bits are the time it was made
      const ms = Number.parseInt(hex.slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
    }
  });

  it("sorts ids made in different milliseconds in the order they were made", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(friendlyId());
      const ms = Date.now();
      while (Date.now() === ms) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect([...ids].sort()).toEqual(ids);
  });

  it("gives random version-4 UUIDs for id(), without the time", () => {
    const ids = Array.from({ length: 1000 }, () => randomFriendlyId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9A-Za-z]{1,22}$/);
      const hex = uuidOf(id);
      expect(hex[12]).toBe("4");
      expect("89ab").toContain(hex[16]);
    }
    // no shared time prefix: ids made in the same millisecond differ from their first characters
    expect(new Set(ids.map((id) => id.padStart(22, "0").slice(0, 6))).size).toBeGreaterThan(900);
  });
});
