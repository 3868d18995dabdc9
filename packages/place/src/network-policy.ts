// What launch_app may reach (docs/protocol.md §10): never loopback, private, link-local, unspecified or other
// special addresses — IPv4, IPv6 and IPv4 inside IPv6 alike — unless the operator allows them. The check runs on the
// address actually connected to (a `lookup` of our own), so a name that resolves differently the second time (DNS
// rebinding) cannot slip past it.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

/** Ranges a place never reaches for an agent, with the words an error uses for them. */
const SPECIAL_RANGES: [address: string, prefix: number, family: "ipv4" | "ipv6", what: string][] = [
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["100.64.0.0", 10, "ipv4", "shared (carrier-grade NAT)"],
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["169.254.0.0", 16, "ipv4", "link-local"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.0.0.0", 24, "ipv4", "reserved"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["198.18.0.0", 15, "ipv4", "reserved"],
  ["224.0.0.0", 4, "ipv4", "multicast"],
  ["240.0.0.0", 4, "ipv4", "reserved"],
  // ::/96 holds :: (unspecified), ::1 (loopback) and the deprecated IPv4-compatible addresses.
  ["::", 96, "ipv6", "unspecified, loopback or IPv4-compatible"],
  ["64:ff9b:1::", 48, "ipv6", "local NAT64"],
  ["2002::", 16, "ipv6", "6to4"],
  ["fc00::", 7, "ipv6", "private (unique local)"],
  ["fe80::", 10, "ipv6", "link-local"],
  ["fec0::", 10, "ipv6", "site-local"],
  ["ff00::", 8, "ipv6", "multicast"],
];

const SPECIAL = SPECIAL_RANGES.map(([address, prefix, family, what]) => {
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { list, family, what };
});

/** An operator's exception: an address or range, on any port or one. */
interface Allowed {
  list: BlockList;
  port: number | undefined;
  text: string;
}

export class NetworkPolicy {
  private readonly allowed: Allowed[];

  /**
   * `allow`: entries the operator permits although special — `127.0.0.1`, `127.0.0.1:8000`, `[::1]:8000`,
   * `10.0.0.0/8`, `fd00::/8`. Throws a readable Error on anything else.
   */
  constructor(allow: readonly string[] = []) {
    this.allowed = allow.map(parseAllowed);
  }

  /** Why `address` (an IP, as connected to) may not be reached on `port`, or undefined when it may. */
  refusal(address: string, port: number): string | undefined {
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    // BlockList matches IPv4 ranges against IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) too.
    const special = SPECIAL.find((s) => s.list.check(address, family));
    if (!special) return undefined;
    if (this.allowed.some((a) => (a.port === undefined || a.port === port) && a.list.check(address, family)))
      return undefined;
    return `it is a ${special.what} address`;
  }

  /** A dns.lookup for http(s).request that fails with code ELAUNCHREFUSED when any resolved address is refused. */
  lookup(port: number): LookupFunction {
    return ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error);
        for (const a of addresses) {
          const why = this.refusal(a.address, port);
          if (why) return callback(refusedError(hostname, why));
        }
        if ((options as { all?: boolean }).all) return callback(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      });
    }) as LookupFunction;
  }
}

export function refusedError(host: string, why: string): Error & { code: string } {
  return Object.assign(new Error(`${host}: ${why}`), { code: "ELAUNCHREFUSED" });
}

function parseAllowed(text: string): Allowed {
  const list = new BlockList();
  const bad = () =>
    new Error(`allowed launch destination "${text}" is not an address, address:port, [ipv6]:port or address/prefix`);
  const add = (address: string, prefix?: number) => {
    const version = isIP(address);
    if (!version) throw bad();
    const family = version === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else if (Number.isInteger(prefix) && prefix >= 0 && prefix <= (version === 6 ? 128 : 32))
      list.addSubnet(address, prefix, family);
    else throw bad();
  };
  const port = (p: string) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw bad();
    return n;
  };
  const slash = text.indexOf("/");
  if (slash >= 0) {
    add(text.slice(0, slash), Number(text.slice(slash + 1)));
    return { list, port: undefined, text };
  }
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(text);
  if (bracketed) {
    add(bracketed[1]);
    return { list, port: port(bracketed[2]), text };
  }
  if (isIP(text)) {
    add(text);
    return { list, port: undefined, text };
  }
  const v4 = /^([\d.]+):(\d+)$/.exec(text);
  if (!v4) throw bad();
  add(v4[1]);
  return { list, port: port(v4[2]), text };
}
