import { describe, expect, it } from "vitest";
import { compileBasicAuth, isLoopback } from "./basicAuth.ts";
import { hashPassword, parsePasswordHash, verifyPassword } from "./passwordHash.ts";

describe("password hashes", () => {
  it("hashes with scrypt in the documented format and verifies", async () => {
    const hash = await hashPassword("s3cret!", { N: 1024 });
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    const parsed = parsePasswordHash(hash);
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.hash).toHaveLength(32);
    expect(await verifyPassword("s3cret!", parsed)).toBe(true);
    expect(await verifyPassword("s3cret", parsed)).toBe(false);
    expect(await hashPassword("s3cret!", { N: 1024 })).not.toBe(hash);
  });

  it("refuses malformed hashes and plain passwords with a clear message", () => {
    expect(() => parsePasswordHash("hunter2")).toThrow(/scrypt\$N\$r\$p\$salt\$hash/);
    expect(() => parsePasswordHash("scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==")).toThrow(/N=1000/);
    expect(() => parsePasswordHash("scrypt$1024$8$1$c2E=$aGFzaGhhc2hoYXNoaGFzaA==")).toThrow(
      /salt of at least 8 bytes/,
    );
  });
});

describe("basic auth settings", () => {
  const user = {
    username: "admin",
    passwordHash: "scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=",
  };

  it("knows loopback addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"])
      expect(isLoopback(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com"])
      expect(isLoopback(host)).toBe(false);
  });

  it("is off on loopback unless enabled, on beyond it", () => {
    expect(compileBasicAuth({ users: [] }, "127.0.0.1").enabled).toBe(false);
    expect(compileBasicAuth({ users: [user], enabled: true }, "127.0.0.1").enabled).toBe(true);
    expect(compileBasicAuth({ users: [user] }, "0.0.0.0").enabled).toBe(true);
  });

  it("refuses to start beyond loopback without a user, or with auth disabled", () => {
    expect(() => compileBasicAuth({ users: [] }, "0.0.0.0")).toThrow(
      /Refusing to start: the server would listen on '0.0.0.0', beyond loopback, but no user is configured/,
    );
    expect(() => compileBasicAuth({ users: [user], enabled: false }, "0.0.0.0")).toThrow(/cannot be disabled/);
    expect(() => compileBasicAuth({ users: [], enabled: true }, "127.0.0.1")).toThrow(/no user is configured/);
    expect(() => compileBasicAuth({ users: [{ username: "a", passwordHash: "plain" }] }, "0.0.0.0")).toThrow(
      /server.basicAuth.users\[0\] \('a'\)/,
    );
  });
});
