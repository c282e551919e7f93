// Where things are in this repository, and the `[toolgate]` voice the scripts report progress in.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Local state of `npm start`: the embedded database, generated secrets, logs. Git-ignored. */
export const DATA_DIR = path.join(ROOT, '.data');

export const API_DIST = path.join(ROOT, 'apps/api/dist');
export const API_MAIN = path.join(API_DIST, 'apps/api/src/main.js');
export const API_CLI = path.join(API_DIST, 'apps/api/src/cli.js');
export const ADMIN_DIR = path.join(ROOT, 'apps/admin');
export const ADMIN_BUILD_ID = path.join(ADMIN_DIR, '.next/BUILD_ID');
export const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');
export const JEST_BIN = path.join(ROOT, 'node_modules/jest/bin/jest.js');

export function say(message) {
  console.log(`[toolgate] ${message}`);
}

export function warn(message) {
  console.error(`[toolgate] ${message}`);
}
