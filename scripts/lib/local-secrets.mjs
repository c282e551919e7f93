// The secrets a local Toolgate needs, generated on first run and kept in .data/local-secrets.json (mode 600).
import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from './workspace.mjs';

export const SECRETS_FILE = path.join(DATA_DIR, 'local-secrets.json');

// Letters and digits only: a password that starts with '-' or holds '_' is awkward to paste.
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomPassword = (length) => Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

const GENERATED = {
  // The API wants at least 32 characters; 32 random bytes give 43.
  TOOLGATE_SECRET: () => randomBytes(32).toString('base64url'),
  SEED_ADMIN_PASSWORD: () => randomPassword(20),
};

function readSaved() {
  try {
    return JSON.parse(fs.readFileSync(SECRETS_FILE, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    throw new Error(`${SECRETS_FILE} is unreadable (${error.message}); fix or delete it`);
  }
}

/**
 * Returns { TOOLGATE_SECRET, SEED_ADMIN_PASSWORD }: each from the environment when set there,
 * else from the secrets file, else generated now and saved for the next runs.
 */
export function loadLocalSecrets(env = process.env) {
  const saved = readSaved();
  const secrets = {};
  let changed = false;
  for (const [name, generate] of Object.entries(GENERATED)) {
    if (env[name]) {
      secrets[name] = env[name];
    } else {
      if (!saved[name]) {
        saved[name] = generate();
        changed = true;
      }
      secrets[name] = saved[name];
    }
  }
  if (changed) {
    fs.mkdirSync(DATA_DIR, { recursive: true, mode: 0o755 });
    fs.writeFileSync(SECRETS_FILE, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(SECRETS_FILE, 0o600);
  }
  return secrets;
}
