// The shape of a group API key: `tg_<12-char public id>_<43-char secret>` (256 random bits).
// The public id finds the row; the HMAC of the whole key proves possession.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const KEY_PATTERN = /^(tg_[a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  plaintext: string;
  prefix: string;
  last4: string;
}

export function generateKey(): GeneratedKey {
  const idBytes = randomBytes(12);
  const id = Array.from(idBytes, (b) => ALPHABET[b & 31]).join('');
  const secret = randomBytes(32).toString('base64url');
  const prefix = `tg_${id}`;
  return { plaintext: `${prefix}_${secret}`, prefix, last4: secret.slice(-4) };
}

/** The public id of a well-formed key, or null for anything else. */
export function parseKey(plaintext: string): { prefix: string } | null {
  const match = KEY_PATTERN.exec(plaintext);
  return match ? { prefix: match[1] } : null;
}

export function hashKey(hmacKey: Buffer, plaintext: string): Buffer {
  return createHmac('sha256', hmacKey).update(plaintext).digest();
}

export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
