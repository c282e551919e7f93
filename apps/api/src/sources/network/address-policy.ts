// The SSRF policy (SECURITY 26): which URLs and addresses an upstream or HTTP tool may reach, and
// how a tenant's network allowlist (hostnames, `*.suffix` wildcards, IPs, CIDRs) lifts the refusal.
import { isIP } from 'node:net';

export type AddressKind = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'reserved';

export type DestinationCheck = { ok: true } | { ok: false; address: string; kind: Exclude<AddressKind, 'public'>; reason: string };

export type UrlCheck = { ok: true; url: URL; host: string } | { ok: false; reason: string };

const KIND_PHRASE: Record<Exclude<AddressKind, 'public'>, string> = {
  private: 'a private address',
  loopback: 'a loopback address',
  'link-local': 'a link-local address',
  metadata: 'a cloud metadata address',
  unspecified: 'an unspecified address',
  reserved: 'a reserved (non-routable or multicast) address',
};

/**
 * Instance-metadata endpoints. Most sit inside ranges refused anyway; they are named so the refusal
 * says what they are, and because 168.63.129.16 (Azure wireserver) is otherwise a public address.
 */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '169.254.170.23', '100.100.100.200', '192.0.0.192', '168.63.129.16']);
const METADATA_V6 = ['fd00:ec2::254', 'fd00:ec2::23'].map((ip) => parseIp(ip)!.bytes);

/** Non-public IPv4 ranges, most specific first. */
const V4_RANGES: ReadonlyArray<readonly [string, number, AddressKind]> = [
  ['0.0.0.0', 32, 'unspecified'],
  ['0.0.0.0', 8, 'reserved'], // "this network": Linux connects 0.x to the local host
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // documentation
  ['192.88.99.0', 24, 'reserved'], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'reserved'], // documentation
  ['203.0.113.0', 24, 'reserved'], // documentation
  ['224.0.0.0', 4, 'reserved'], // multicast
  ['240.0.0.0', 4, 'reserved'], // reserved, and 255.255.255.255 broadcast
];

interface ParsedIp {
  version: 4 | 6;
  /** 4 bytes for IPv4, 16 for IPv6. */
  bytes: Uint8Array;
}

/** A canonical IP literal (what `net.isIP` accepts, brackets and IPv6 zone allowed) as bytes, or null. */
function parseIp(text: string): ParsedIp | null {
  const ip = stripBrackets(text);
  const version = isIP(ip);
  if (version === 4) return { version, bytes: Uint8Array.from(ip.split('.').map(Number)) };
  if (version !== 6) return null;
  let address = ip.split('%')[0];
  const lastColon = address.lastIndexOf(':');
  if (address.includes('.', lastColon)) {
    const [a, b, c, d] = address.slice(lastColon + 1).split('.').map(Number);
    address = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = address.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return { version, bytes };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function hasPrefix(bytes: Uint8Array, base: Uint8Array, prefixBits: number): boolean {
  for (let bit = 0; bit < prefixBits; bit += 8) {
    const bitsHere = Math.min(8, prefixBits - bit);
    const mask = (0xff << (8 - bitsHere)) & 0xff;
    if ((bytes[bit / 8] & mask) !== (base[bit / 8] & mask)) return false;
  }
  return true;
}

const v6 = (ip: string) => parseIp(ip)!.bytes;
const V6_MAPPED = v6('::ffff:0:0');
const V6_NAT64 = v6('64:ff9b::');
const V6_NAT64_LOCAL = v6('64:ff9b:1::');
const V6_DISCARD = v6('100::');
const V6_IETF = v6('2001::'); // 2001::/23: Teredo, benchmarking, ORCHID… none an ordinary server
const V6_DOCUMENTATION = v6('2001:db8::');
const V6_DOCUMENTATION_2 = v6('3fff::');
const V6_6TO4 = v6('2002::');
const V4_PARSED = V4_RANGES.map(([base, prefix, kind]) => [parseIp(base)!.bytes, prefix, kind] as const);

function classifyV4(bytes: Uint8Array): AddressKind {
  if (METADATA_V4.has(bytes.join('.'))) return 'metadata';
  for (const [base, prefix, kind] of V4_PARSED) if (hasPrefix(bytes, base, prefix)) return kind;
  return 'public';
}

function classifyV6(bytes: Uint8Array): AddressKind {
  const zeroUpTo = (n: number) => bytes.subarray(0, n).every((b) => b === 0);
  if (zeroUpTo(16)) return 'unspecified';
  if (zeroUpTo(15) && bytes[15] === 1) return 'loopback';
  if (hasPrefix(bytes, V6_MAPPED, 96)) return classifyV4(bytes.subarray(12));
  if (hasPrefix(bytes, V6_NAT64, 96)) return classifyV4(bytes.subarray(12));
  if (hasPrefix(bytes, V6_NAT64_LOCAL, 48)) return 'private';
  if (METADATA_V6.some((m) => hasPrefix(bytes, m, 128))) return 'metadata';
  if (bytes[0] === 0) return 'reserved'; // ::/8 — IPv4-compatible and IPv4-translated forms included
  if (hasPrefix(bytes, V6_DISCARD, 64)) return 'reserved';
  if ((bytes[0] & 0xfe) === 0xfc) return 'private'; // fc00::/7 unique local
  if (bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0x80) return 'link-local'; // fe80::/10
  if (bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0xc0) return 'private'; // fec0::/10 site-local (deprecated)
  if (bytes[0] === 0xff) return 'reserved'; // multicast
  if (hasPrefix(bytes, V6_DOCUMENTATION, 32) || hasPrefix(bytes, V6_DOCUMENTATION_2, 20) || hasPrefix(bytes, V6_IETF, 23)) return 'reserved';
  if (hasPrefix(bytes, V6_6TO4, 16)) return classifyV4(bytes.subarray(2, 6)); // 6to4 embeds the IPv4 it reaches
  return (bytes[0] & 0xe0) === 0x20 ? 'public' : 'reserved'; // only 2000::/3 is allocated global unicast
}

/**
 * A host as a URL holds it: WHATWG-normalised (so `0x7f.1`, `2130706433` and `017700000001` all
 * become 127.0.0.1), lower-cased, without IPv6 brackets or a trailing dot.
 */
export function normalizeHost(host: string): string {
  const bare = stripBrackets(host.trim());
  let hostname = bare.toLowerCase();
  try {
    hostname = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname;
  } catch {
    // Not a valid URL host: compared as written, and never an IP.
  }
  return stripBrackets(hostname).replace(/\.$/, '');
}

/** What kind of address `ip` is. Accepts any spelling a URL host accepts; throws when it is no IP at all. */
export function classifyAddress(ip: string): AddressKind {
  const parsed = parseIp(ip) ?? parseIp(normalizeHost(ip));
  if (!parsed) throw new TypeError(`${ip} is not an IP address`);
  return parsed.version === 4 ? classifyV4(parsed.bytes) : classifyV6(parsed.bytes);
}

/** IPv4 as IPv4-mapped IPv6, so one comparison serves `127.0.0.0/8` against `::ffff:127.0.0.1` too. */
function toV6Bytes(ip: ParsedIp): Uint8Array {
  if (ip.version === 6) return ip.bytes;
  const bytes = new Uint8Array(16);
  bytes.set(V6_MAPPED.subarray(0, 12));
  bytes.set(ip.bytes, 12);
  return bytes;
}

type AllowlistEntry = { type: 'host'; host: string } | { type: 'suffix'; suffix: string } | { type: 'cidr'; base: Uint8Array; prefix: number };

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function parseAllowlistEntry(raw: string): AllowlistEntry | null {
  const entry = raw.trim();
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const ip = parseIp(entry.slice(0, slash)) ?? parseIp(normalizeHost(entry.slice(0, slash)));
    const bits = entry.slice(slash + 1);
    if (!ip || !/^\d{1,3}$/.test(bits) || Number(bits) > (ip.version === 4 ? 32 : 128)) return null;
    return { type: 'cidr', base: toV6Bytes(ip), prefix: Number(bits) + (ip.version === 4 ? 96 : 0) };
  }
  if (entry.startsWith('*.')) {
    const suffix = normalizeHost(entry.slice(2));
    return HOSTNAME.test(suffix) && !parseIp(suffix) ? { type: 'suffix', suffix } : null;
  }
  const host = normalizeHost(entry);
  const ip = parseIp(host);
  if (ip) return { type: 'cidr', base: toV6Bytes(ip), prefix: 128 };
  return HOSTNAME.test(host) ? { type: 'host', host } : null;
}

/** Whether `entry` means something to the allowlist (for validating what a tenant saves). */
export function isValidAllowlistEntry(entry: string): boolean {
  return parseAllowlistEntry(entry) !== null;
}

/**
 * Whether the allowlist lets `host` (the URL's host) reach `ip`. A hostname entry trusts that
 * name's DNS for every address it resolves to; `*.example.com` covers subdomains at any depth,
 * not example.com itself; IP and CIDR entries match the address whatever name led to it.
 * Entries that are none of these are ignored.
 */
export function allowlistMatches(host: string, ip: string, allowlist: readonly string[]): boolean {
  const name = normalizeHost(host);
  const nameIsIp = parseIp(name) !== null;
  const address = parseIp(ip) ?? parseIp(normalizeHost(ip));
  const addressBytes = address && toV6Bytes(address);
  return allowlist.some((raw) => {
    const entry = parseAllowlistEntry(raw);
    if (!entry) return false;
    switch (entry.type) {
      case 'host':
        return !nameIsIp && name === entry.host;
      case 'suffix':
        return !nameIsIp && name.endsWith(`.${entry.suffix}`);
      case 'cidr':
        return addressBytes !== null && hasPrefix(addressBytes, entry.base, entry.prefix);
    }
  });
}

/**
 * Whether `host`, resolved to `ips`, may be reached. Every address must pass: a name that resolves
 * to a public and a private address is refused, since the connection could go to either.
 */
export function checkDestination(host: string, ips: readonly string[], allowlist: readonly string[]): DestinationCheck {
  const name = normalizeHost(host);
  if (ips.length === 0) return { ok: false, address: '', kind: 'reserved', reason: `${name} resolves to no address` };
  for (const ip of ips) {
    let kind: AddressKind;
    try {
      kind = classifyAddress(ip);
    } catch {
      return { ok: false, address: ip, kind: 'reserved', reason: `${name} resolves to "${ip}", which is not an IP address` };
    }
    if (kind === 'public' || allowlistMatches(name, ip, allowlist)) continue;
    const address = normalizeHost(ip);
    const reason =
      address === name
        ? `${name} is ${KIND_PHRASE[kind]}; add it to the tenant's network allowlist to allow it`
        : `${name} resolves to ${address}, ${KIND_PHRASE[kind]}; add ${name} or ${address} to the tenant's network allowlist to allow it`;
    return { ok: false, address, kind, reason };
  }
  return { ok: true };
}

/** A URL's own verdict, before any DNS: http(s) only, no credentials in it. `host` is normalised. */
export function checkUrl(input: string | URL): UrlCheck {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'The upstream address is not a valid URL' }; // not echoed: it may hold a secret
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `${url.protocol} URLs are not allowed; only http: and https:` };
  }
  if (url.username || url.password) {
    return { ok: false, reason: `URLs with credentials (user:password@${url.host}) are not allowed; send them as a secret header instead` };
  }
  return { ok: true, url, host: normalizeHost(url.hostname) };
}
