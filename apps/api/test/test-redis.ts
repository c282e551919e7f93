// The Redis the scale-out specs use: REDIS_URL, else redis://127.0.0.1:6379. Found once per run (global setup);
// where it cannot be reached at all the Redis specs are skipped and say why, everywhere else they run.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { TcpProxy } from './proxied-database';

const URL_ENV = 'TOOLGATE_TEST_REDIS_URL';
const SKIP_ENV = 'TOOLGATE_TEST_REDIS_SKIP';

/** Global setup: a TCP connection and a PING decide whether the Redis specs run. */
export async function findTestRedis(): Promise<void> {
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const target = new URL(url);
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect(Number(target.port || 6379), target.hostname);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1500);
    socket.on('error', () => done(false));
    // A password-protected Redis answers NOAUTH: it is there, and the client will authenticate from the URL.
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
  if (reachable) process.env[URL_ENV] = url;
  else {
    process.env[SKIP_ENV] = `cannot connect to ${target.host}`;
    console.warn(`\nThe Redis specs are skipped: cannot connect to ${target.host} (set REDIS_URL to run them).`);
  }
}

/** The test Redis URL, or null (with `redisSkipReason`) when there is none. */
export const testRedisUrl: string | null = process.env[URL_ENV] ?? null;

/** `it` when Redis is reachable; otherwise `it.skip` with the reason in the test name. */
export function itWithRedis(name: string, fn: jest.ProvidesCallback, timeout?: number): void {
  if (testRedisUrl) it(name, fn, timeout);
  else it.skip(`${name} [skipped: ${process.env[SKIP_ENV] ?? 'no Redis'}]`, fn, timeout);
}

/** A key prefix of its own per test file, so files running in parallel never share keys or channels. */
export function uniqueRedisPrefix(): string {
  return `toolgate:test:${randomBytes(6).toString('hex')}:`;
}

/** A TCP proxy in front of the test Redis, which a spec cuts (`cut()`) and restores (`start()`) to take Redis away. */
export function redisProxy(): TcpProxy {
  const target = new URL(testRedisUrl ?? 'redis://127.0.0.1:6379');
  return new TcpProxy(target.hostname, Number(target.port || 6379));
}

/** Starts `proxy` and answers the test Redis URL (credentials, database) that reaches Redis through it. */
export async function redisUrlThrough(proxy: TcpProxy): Promise<string> {
  await proxy.start();
  const url = new URL(testRedisUrl!);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}
