import { generateKey, hashesEqual, hashKey, parseKey } from './key-codec';

describe('key codec', () => {
  it('generates keys that parse back to their public prefix', () => {
    const k = generateKey();
    expect(k.plaintext).toMatch(/^tg_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    expect(parseKey(k.plaintext)).toEqual({ prefix: k.prefix });
    expect(k.plaintext.endsWith(k.last4)).toBe(true);
    expect(generateKey().plaintext).not.toBe(k.plaintext);
  });

  it('rejects anything that is not a key', () => {
    for (const bad of ['', 'tg_', 'Bearer x', `${generateKey().plaintext}x`, 'tg_ABCDEFGHIJKL_' + 'a'.repeat(43)]) {
      expect(parseKey(bad)).toBeNull();
    }
  });

  it('hashes with the server key and compares in constant time', () => {
    const k = generateKey();
    const secret = Buffer.alloc(32, 1);
    expect(hashesEqual(hashKey(secret, k.plaintext), hashKey(secret, k.plaintext))).toBe(true);
    expect(hashesEqual(hashKey(secret, k.plaintext), hashKey(Buffer.alloc(32, 2), k.plaintext))).toBe(false);
  });
});
