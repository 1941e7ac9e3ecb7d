/**
 * The outbound-address policy: where a task that calls a URL or a server named by the flow author
 * may connect. The instance refuses a list of address ranges (configuration
 * `http.refusedAddresses`, CIDR notation); by default the link-local range (`169.254.0.0/16`,
 * where clouds serve instance metadata and credentials, and `fe80::/10`) and the unspecified
 * addresses (`0.0.0.0/8`, `::`). Loopback and private ranges stay allowed, so local services
 * and tests work; an operator adds them (`127.0.0.0/8`, `10.0.0.0/8`, …) to refuse them too.
 *
 * Names are checked after DNS resolution, on every address the name resolves to, and the
 * connection is made to the address that was checked (see {@link outboundLookup}), so a name
 * cannot point somewhere else between the check and the connection.
 *
 * @module
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { BlockList, isIP } from "node:net";
import { NonRetryableError, SakerError, type ErrorLocation } from "./errors.ts";
import type { RunContext } from "./runContext.ts";

/** What the instance refuses when configuration `http.refusedAddresses` is not set. */
export const DEFAULT_REFUSED_ADDRESSES: readonly string[] = [
  "169.254.0.0/16",
  "fe80::/10",
  "0.0.0.0/8",
  "::/128",
  "fd00:ec2::254/128",
];

interface Rule {
  cidr: string;
  list: BlockList;
  family: "ipv4" | "ipv6";
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses as they are. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

/** A list of refused CIDR ranges. */
export class AddressPolicy {
  private readonly rules: Rule[];

  /** @throws RangeError naming the entry that is not an address or a CIDR range. */
  constructor(readonly refused: readonly string[] = DEFAULT_REFUSED_ADDRESSES) {
    this.rules = refused.map((cidr) => {
      const [address = "", prefixText, extra] = cidr.trim().split("/");
      const family = isIP(address);
      const max = family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? max : Number(prefixText);
      if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
        throw new RangeError(`'${cidr}' is not an address or a CIDR range (e.g. 169.254.0.0/16, fe80::/10)`);
      const type = family === 4 ? "ipv4" : "ipv6";
      const list = new BlockList();
      list.addSubnet(address, prefix, type);
      return { cidr: cidr.trim(), list, family: type };
    });
  }

  /** The refused range `address` falls in, or undefined when it may be reached. */
  refusal(address: string): string | undefined {
    const plain = unmapped(address);
    const family = isIP(plain) === 4 ? "ipv4" : "ipv6";
    return this.rules.find((r) => r.family === family && r.list.check(plain, family))?.cidr;
  }
}

const policies = new Map<string, AddressPolicy>();

/** The instance's policy for this task run (the SDK's default outside a Saker worker). */
export function addressPolicy(ctx: Pick<RunContext, "refusedAddresses">): AddressPolicy {
  const refused = ctx.refusedAddresses ?? DEFAULT_REFUSED_ADDRESSES;
  const key = refused.join(",");
  let policy = policies.get(key);
  if (!policy) policies.set(key, (policy = new AddressPolicy(refused)));
  return policy;
}

function locate(ctx: Pick<RunContext, "flow" | "task">, property: string): ErrorLocation {
  return { flow: `${ctx.flow.namespace}/${ctx.flow.id}`, taskId: ctx.task.id, path: property };
}

/** The task error for `host` resolving to the refused `address`. */
export function refusedAddressError(
  ctx: Pick<RunContext, "flow" | "task">,
  property: string,
  host: string,
  address: string,
  cidr: string,
): SakerError {
  const target = unmapped(host) === unmapped(address) ? address : `${host} (${address})`;
  return new NonRetryableError(
    `connecting to ${target} is refused: the address is in ${cidr}, which configuration http.refusedAddresses refuses`,
    locate(ctx, property),
  );
}

/**
 * Checks that `url` is an http(s) URL whose host, when it is an address, is not refused.
 * `property` names the property that held it in errors. A host name is checked when it is
 * resolved: connect with {@link outboundLookup}.
 */
export function checkHttpUrl(
  ctx: Pick<RunContext, "flow" | "task" | "refusedAddresses">,
  url: string,
  property: string,
): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NonRetryableError(`'${url}' is not a URL`, locate(ctx, property));
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new NonRetryableError(
      `the URL must be http or https, not '${parsed.protocol.replace(/:$/, "")}'`,
      locate(ctx, property),
    );
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) {
    const cidr = addressPolicy(ctx).refusal(host);
    if (cidr) throw refusedAddressError(ctx, property, host, host, cidr);
  }
  return parsed;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect`, `http.request` and `https.request`: resolves the name, refuses it
 * when any of its addresses is refused, and otherwise hands the connection those addresses.
 */
export function outboundLookup(ctx: Pick<RunContext, "flow" | "task" | "refusedAddresses">, property: string) {
  const policy = addressPolicy(ctx);
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const a of addresses) {
        const cidr = policy.refusal(a.address);
        if (cidr) return callback(refusedAddressError(ctx, property, hostname, a.address, cidr) as never, []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Resolves `host` and returns the address to connect to, for clients that take an address (an
 * SMTP connection): refused when any address `host` resolves to is refused.
 */
export async function resolveOutbound(
  ctx: Pick<RunContext, "flow" | "task" | "refusedAddresses">,
  host: string,
  property: string,
): Promise<string> {
  const lookup = outboundLookup(ctx, property);
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare)) {
    const cidr = addressPolicy(ctx).refusal(bare);
    if (cidr) throw refusedAddressError(ctx, property, bare, bare, cidr);
    return bare;
  }
  return new Promise((resolve, reject) => {
    lookup(bare, {}, (error, address) => (error ? reject(error) : resolve(address as string)));
  });
}
