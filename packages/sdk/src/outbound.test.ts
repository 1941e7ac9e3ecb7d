/** The outbound-address policy: CIDR matching, the defaults, and checks made after DNS resolution. */
import { describe, expect, it } from "vitest";
import {
  AddressPolicy,
  DEFAULT_REFUSED_ADDRESSES,
  checkHttpUrl,
  isSakerError,
  outboundLookup,
  resolveOutbound,
} from "./index.ts";

const ctx = (refusedAddresses?: string[]) => ({
  flow: { namespace: "company.team", id: "f" } as never,
  task: { id: "t", type: "x" },
  ...(refusedAddresses ? { refusedAddresses } : {}),
});

describe("AddressPolicy", () => {
  it("refuses link-local (cloud metadata) and unspecified addresses by default, allows loopback and private", () => {
    const policy = new AddressPolicy();
    expect(policy.refused).toEqual(DEFAULT_REFUSED_ADDRESSES);
    expect(policy.refusal("169.254.169.254")).toBe("169.254.0.0/16");
    expect(policy.refusal("::ffff:169.254.169.254")).toBe("169.254.0.0/16");
    expect(policy.refusal("fe80::1")).toBe("fe80::/10");
    expect(policy.refusal("0.0.0.0")).toBe("0.0.0.0/8");
    expect(policy.refusal("::")).toBe("::/128");
    expect(policy.refusal("fd00:ec2::254")).toBe("fd00:ec2::254/128");
    for (const ok of ["127.0.0.1", "::1", "10.1.2.3", "192.168.0.10", "93.184.216.34", "2606:4700::1"])
      expect(policy.refusal(ok)).toBeUndefined();
  });

  it("takes single addresses and ranges, and names an entry that is neither", () => {
    const policy = new AddressPolicy(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]);
    expect(policy.refusal("10.200.0.1")).toBe("10.0.0.0/8");
    expect(policy.refusal("192.0.2.7")).toBe("192.0.2.7");
    expect(policy.refusal("192.0.2.8")).toBeUndefined();
    expect(policy.refusal("2001:db8:1::5")).toBe("2001:db8::/32");
    expect(policy.refusal("169.254.169.254")).toBeUndefined();
    for (const bad of ["10.0.0.0/33", "example.com", "10.0.0.0/8/1", "fe80::/129", ""])
      expect(() => new AddressPolicy([bad])).toThrow(`'${bad}' is not an address or a CIDR range`);
  });
});

describe("checkHttpUrl", () => {
  it("accepts http(s), refuses other schemes and refused literal addresses, naming the property", () => {
    expect(checkHttpUrl(ctx(), "https://hooks.example.com/x", "url").host).toBe("hooks.example.com");
    expect(() => checkHttpUrl(ctx(), "ftp://example.com/", "url")).toThrow(
      "Flow 'company.team/f', task 't', url: the URL must be http or https, not 'ftp'",
    );
    expect(() => checkHttpUrl(ctx(), "nope", "dsn")).toThrow("dsn: 'nope' is not a URL");
    expect(() => checkHttpUrl(ctx(), "http://169.254.169.254/latest/meta-data/", "url")).toThrow(
      "url: connecting to 169.254.169.254 is refused: the address is in 169.254.0.0/16",
    );
    expect(() => checkHttpUrl(ctx(), "http://[fe80::1]:8080/", "url")).toThrow("connecting to fe80::1 is refused");
    expect(checkHttpUrl(ctx(), "http://127.0.0.1:1/", "url").port).toBe("1");
    expect(() => checkHttpUrl(ctx(["127.0.0.0/8"]), "http://127.0.0.1:1/", "url")).toThrow(
      "the address is in 127.0.0.0/8",
    );
  });
});

describe("after DNS resolution", () => {
  it("refuses a name that resolves to a refused address, naming the name and the address", async () => {
    const refused = ctx(["127.0.0.0/8", "::1/128"]);
    const error = await resolveOutbound(refused, "localhost", "host").catch((e: unknown) => e);
    expect(isSakerError(error)).toBe(true);
    expect((error as Error).message).toMatch(/host: connecting to localhost \((127\.0\.0\.1|::1)\) is refused/);
    expect(await resolveOutbound(ctx(), "localhost", "host")).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(await resolveOutbound(ctx(), "127.0.0.1", "host")).toBe("127.0.0.1");
    await expect(resolveOutbound(ctx(), "169.254.169.254", "host")).rejects.toThrow("169.254.0.0/16");
  });

  it("a lookup for net/http that answers as dns.lookup does, or refuses", async () => {
    const lookup = outboundLookup(ctx(), "url");
    const one = await new Promise<[unknown, unknown, unknown]>((resolve) =>
      lookup("localhost", {}, (e, a, f) => resolve([e, a, f])),
    );
    expect(one[0]).toBeNull();
    expect(one[1]).toMatch(/^(127\.0\.0\.1|::1)$/);
    const all = await new Promise<[unknown, unknown]>((resolve) =>
      lookup("localhost", { all: true }, (e, a) => resolve([e, a])),
    );
    expect(Array.isArray(all[1])).toBe(true);
    const refused = outboundLookup(ctx(["127.0.0.0/8", "::1/128"]), "url");
    const error = await new Promise<unknown>((resolve) => refused("localhost", {}, (e) => resolve(e)));
    expect((error as Error).message).toContain("url: connecting to localhost");
  });
});
