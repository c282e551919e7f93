import { allowlistMatches, checkDestination, checkUrl, classifyAddress, isValidAllowlistEntry, normalizeHost, type AddressKind } from './address-policy';

/** The host a URL ends up with, classified: the tricky spellings go through `new URL()` as a request would. */
function classifyUrlHost(url: string): AddressKind {
  const check = checkUrl(url);
  if (!check.ok) throw new Error(check.reason);
  return classifyAddress(check.host);
}

describe('classifyAddress', () => {
  it.each<[string, AddressKind]>([
    // IPv4
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['93.184.216.34', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['10.0.0.5', 'private'],
    ['10.255.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['224.0.0.1', 'reserved'],
    ['239.255.255.250', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    // IPv6
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['ff02::1', 'reserved'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::808:808', 'public'],
    ['::127.0.0.1', 'reserved'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:808:808::1', 'public'],
    ['2001:db8::1', 'reserved'],
    ['2001:4860:4860::8888', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });

  it.each<[string, AddressKind]>([
    ['http://0x7f.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://0/', 'unspecified'],
    ['http://0xa9fea9fe/', 'metadata'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::1]:8080/', 'loopback'],
    ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', 'metadata'],
    ['http://169.254.169.254/latest/meta-data', 'metadata'],
  ])('the host of %s is %s', (url, kind) => {
    expect(classifyUrlHost(url)).toBe(kind);
  });

  it('accepts non-canonical IPv4 spellings directly', () => {
    expect(classifyAddress('0x7f.1')).toBe('loopback');
    expect(classifyAddress('2130706433')).toBe('loopback');
  });

  it('throws for something that is not an IP', () => {
    expect(() => classifyAddress('metadata.google.internal')).toThrow('not an IP address');
  });
});

describe('normalizeHost', () => {
  it('normalises the way a URL does', () => {
    expect(normalizeHost('Example.COM.')).toBe('example.com');
    expect(normalizeHost('[::FFFF:127.0.0.1]')).toBe('::ffff:7f00:1');
    expect(normalizeHost('0x7f.0.0.1')).toBe('127.0.0.1');
  });
});

describe('allowlistMatches', () => {
  it('matches hostnames exactly, case- and trailing-dot-insensitively', () => {
    expect(allowlistMatches('localhost', '127.0.0.1', ['localhost'])).toBe(true);
    expect(allowlistMatches('LOCALHOST.', '::1', ['localhost'])).toBe(true);
    expect(allowlistMatches('api.internal', '10.0.0.5', ['API.Internal'])).toBe(true);
    expect(allowlistMatches('other.internal', '10.0.0.5', ['api.internal'])).toBe(false);
    // A hostname entry names the host, not its addresses.
    expect(allowlistMatches('127.0.0.1', '127.0.0.1', ['localhost'])).toBe(false);
  });

  it('matches *.suffix wildcards on subdomains only', () => {
    const list = ['*.corp.example'];
    expect(allowlistMatches('a.corp.example', '10.0.0.5', list)).toBe(true);
    expect(allowlistMatches('a.b.corp.example', '10.0.0.5', list)).toBe(true);
    expect(allowlistMatches('corp.example', '10.0.0.5', list)).toBe(false);
    expect(allowlistMatches('evilcorp.example', '10.0.0.5', list)).toBe(false);
    expect(allowlistMatches('a.corp.example.evil.test', '10.0.0.5', list)).toBe(false);
  });

  it('matches IPs and IPv4 CIDRs, including the IPv4-mapped form', () => {
    expect(allowlistMatches('127.0.0.1', '127.0.0.1', ['127.0.0.1'])).toBe(true);
    expect(allowlistMatches('localhost', '127.0.0.1', ['127.0.0.1'])).toBe(true);
    expect(allowlistMatches('x', '127.0.0.2', ['127.0.0.1'])).toBe(false);
    expect(allowlistMatches('x', '127.9.9.9', ['127.0.0.0/8'])).toBe(true);
    expect(allowlistMatches('x', '::ffff:127.0.0.1', ['127.0.0.0/8'])).toBe(true);
    expect(allowlistMatches('x', '10.1.255.1', ['10.1.0.0/16'])).toBe(true);
    expect(allowlistMatches('x', '10.2.0.1', ['10.1.0.0/16'])).toBe(false);
    expect(allowlistMatches('x', '172.20.0.1', ['172.16.0.0/12'])).toBe(true);
    expect(allowlistMatches('x', '172.32.0.1', ['172.16.0.0/12'])).toBe(false);
    expect(allowlistMatches('x', '8.8.8.8', ['0.0.0.0/0'])).toBe(true);
  });

  it('matches IPv6 addresses and CIDRs', () => {
    expect(allowlistMatches('x', '::1', ['::1'])).toBe(true);
    expect(allowlistMatches('x', '::1', ['[::1]'])).toBe(true);
    expect(allowlistMatches('x', 'fd12:3456::9', ['fd12:3456::/32'])).toBe(true);
    expect(allowlistMatches('x', 'fd12:3457::9', ['fd12:3456::/32'])).toBe(false);
    expect(allowlistMatches('x', 'fe80::abcd', ['fe80::/10'])).toBe(true);
    expect(allowlistMatches('x', '127.0.0.1', ['::ffff:0:0/96'])).toBe(true);
  });

  it('ignores entries that are none of these', () => {
    for (const entry of ['*', '10.0.0.0/33', '::/129', 'not a host', '*.10.0.0.1', '']) {
      expect(isValidAllowlistEntry(entry)).toBe(false);
      expect(allowlistMatches('10.0.0.1', '10.0.0.1', [entry])).toBe(false);
    }
    for (const entry of ['localhost', '*.example.com', '10.0.0.0/8', '::1', 'fd00::/8', '0x7f.1']) {
      expect(isValidAllowlistEntry(entry)).toBe(true);
    }
  });
});

describe('checkDestination', () => {
  it('lets public addresses through without an allowlist', () => {
    expect(checkDestination('example.com', ['93.184.216.34', '2606:2800:220:1::1'], [])).toEqual({ ok: true });
  });

  it('names the address and its kind when the host is the address', () => {
    expect(checkDestination('169.254.169.254', ['169.254.169.254'], [])).toEqual({
      ok: false,
      address: '169.254.169.254',
      kind: 'metadata',
      reason: "169.254.169.254 is a cloud metadata address; add it to the tenant's network allowlist to allow it",
    });
  });

  it('names the host and the address it resolved to', async () => {
    // metadata.google.internal, resolved by a fake lookup (never the network).
    const fakeLookup = jest.fn(async (_host: string) => ['169.254.169.254']);
    const ips = await fakeLookup('metadata.google.internal');
    const verdict = checkDestination('metadata.google.internal', ips, []);
    expect(verdict).toMatchObject({ ok: false, kind: 'metadata' });
    expect(!verdict.ok && verdict.reason).toBe(
      "metadata.google.internal resolves to 169.254.169.254, a cloud metadata address; add metadata.google.internal or 169.254.169.254 to the tenant's network allowlist to allow it",
    );
  });

  it('refuses when any one of the addresses is refused', () => {
    expect(checkDestination('mixed.test', ['93.184.216.34', '10.0.0.5'], [])).toMatchObject({ ok: false, address: '10.0.0.5', kind: 'private' });
  });

  it('allows what the allowlist names', () => {
    expect(checkDestination('localhost', ['127.0.0.1', '::1'], ['localhost'])).toEqual({ ok: true });
    expect(checkDestination('127.0.0.1', ['127.0.0.1'], ['127.0.0.0/8'])).toEqual({ ok: true });
    expect(checkDestination('api.internal', ['10.0.0.5'], ['10.0.0.0/8'])).toEqual({ ok: true });
  });

  it('refuses no addresses and garbage addresses', () => {
    expect(checkDestination('empty.test', [], [])).toMatchObject({ ok: false, reason: 'empty.test resolves to no address' });
    expect(checkDestination('odd.test', ['not-an-ip'], [])).toMatchObject({ ok: false });
  });
});

describe('checkUrl', () => {
  it('accepts http and https and normalises the host', () => {
    expect(checkUrl('https://Example.com./x')).toMatchObject({ ok: true, host: 'example.com' });
    expect(checkUrl('http://0x7f.1:8080/')).toMatchObject({ ok: true, host: '127.0.0.1' });
    expect(checkUrl(new URL('http://[::1]/'))).toMatchObject({ ok: true, host: '::1' });
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/', 'gopher://127.0.0.1:6379/_', 'data:text/plain,hi', 'javascript:alert(1)'])('refuses %s', (url) => {
    expect(checkUrl(url)).toMatchObject({ ok: false, reason: expect.stringContaining('only http: and https:') });
  });

  it('refuses credentials in the URL without echoing them', () => {
    const check = checkUrl('http://admin:hunter2@example.com/');
    expect(check).toMatchObject({ ok: false });
    expect(!check.ok && check.reason).not.toContain('hunter2');
    expect(checkUrl('http://token@example.com/')).toMatchObject({ ok: false });
  });

  it('refuses what is not a URL', () => {
    expect(checkUrl('not a url')).toMatchObject({ ok: false, reason: expect.stringContaining('not a valid URL') });
  });
});
