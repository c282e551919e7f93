// The connection to the Redis the replicas share (REDIS_URL). Redis being down never stops the process: commands
// fail fast (no offline queue) so callers fall back to their in-process behaviour, and both connections reconnect
// forever with backoff. One connection runs commands, a second one carries pub/sub.
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { AppConfigService } from '../../config/app-config.service';

export type RedisHealth = 'ok' | 'down';

/** How long boot waits for a first connection before starting degraded (in-process limits, local events). */
const CONNECT_WAIT_MS = 2000;
/** No command waits longer than this for an answer: a hung Redis must not hang a call. */
const COMMAND_TIMEOUT_MS = 1000;

/** 50 ms, 100 ms, … up to 2 s between attempts, with jitter so replicas do not reconnect in step; never gives up. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  /** Commands. While Redis is down every command rejects at once; check `isUp` or catch. */
  readonly client: Redis;
  /** Prefix of every key and channel (REDIS_KEY_PREFIX). */
  readonly prefix: string;
  private readonly subscriber: Redis;
  private readonly logger = new Logger(RedisService.name);
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly healthListeners = new Set<(health: RedisHealth) => void>();
  private health: RedisHealth = 'down';
  private closing = false;

  constructor(config: AppConfigService) {
    const url = config.env.REDIS_URL;
    if (!url) throw new Error('RedisService needs REDIS_URL');
    this.prefix = config.env.REDIS_KEY_PREFIX;
    const options: RedisOptions = {
      retryStrategy: reconnectDelay,
      // Fail fast while disconnected instead of queueing: the caller's fallback is better than waiting.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      // Never answer a command before the server is ready (e.g. still loading its data).
      enableReadyCheck: true,
      lazyConnect: false,
    };
    this.client = new Redis(url, { ...options, connectionName: 'toolgate' });
    // Subscriptions are queued while down and renewed on every reconnect (ioredis autoResubscribe).
    this.subscriber = new Redis(url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined, connectionName: 'toolgate-sub' });
    for (const connection of [this.client, this.subscriber]) {
      // An 'error' without a listener is only noise from ioredis; reconnection is handled by retryStrategy.
      connection.on('error', () => undefined);
      connection.on('ready', () => this.updateHealth());
      connection.on('close', () => this.updateHealth());
      connection.on('end', () => this.updateHealth());
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        try {
          handler(message);
        } catch (err) {
          this.logger.error({ err, channel }, 'a Redis message handler failed');
        }
      }
    });
  }

  /** Waits a little for the first connection, so a replica whose Redis is up starts with shared state. */
  async onModuleInit(): Promise<void> {
    if (this.isUp) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, CONNECT_WAIT_MS);
      const off = this.onHealthChange((h) => h === 'ok' && done());
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    if (!this.isUp) this.logger.warn('Redis is unreachable at boot: starting with in-process limits; reconnecting in the background');
  }

  /** Both connections ready: commands and pub/sub work. */
  get isUp(): boolean {
    return this.health === 'ok';
  }

  /** `ok` when a PING answers now, else `down` (for /readyz: the truth, not the last event seen). */
  async check(): Promise<RedisHealth> {
    if (!this.isUp) return 'down';
    try {
      return (await this.client.ping()) === 'PONG' ? 'ok' : 'down';
    } catch {
      return 'down';
    }
  }

  /** Called with `ok` or `down` whenever that changes (e.g. to fall back to local limits, or to resync after an outage). */
  onHealthChange(listener: (health: RedisHealth) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  /** A key under this deployment's prefix: `key('rl', groupId)` → `toolgate:rl:<groupId>`. */
  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** Publishes on a prefixed channel; false when Redis is down (the message is lost, not queued). */
  async publish(channel: string, message: string): Promise<boolean> {
    if (!this.isUp) return false;
    try {
      await this.client.publish(this.key(channel), message);
      return true;
    } catch {
      return false;
    }
  }

  /** Receives the messages of a prefixed channel (from every replica, this one included) until the returned function is called. */
  subscribe(channel: string, handler: (message: string) => void): () => void {
    const name = this.key(channel);
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
      this.subscriber.subscribe(name).catch((err) => this.logger.warn({ err, channel: name }, 'could not subscribe yet; retried on reconnect'));
    }
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(name) === set) {
        this.handlers.delete(name);
        if (!this.closing) this.subscriber.unsubscribe(name).catch(() => undefined);
      }
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.healthListeners.clear();
    // QUIT lets answers in flight arrive; while down it would wait in the subscriber's queue, so just drop the connection.
    await Promise.all(
      [this.client, this.subscriber].map(async (c) => {
        if (c.status === 'ready') {
          await Promise.race([c.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 500).unref())]);
        }
        c.disconnect();
      }),
    );
  }

  private updateHealth(): void {
    const next: RedisHealth = this.client.status === 'ready' && this.subscriber.status === 'ready' ? 'ok' : 'down';
    if (next === this.health) return;
    this.health = next;
    if (!this.closing) {
      if (next === 'ok') this.logger.log('Redis connected: limits, events and sessions are shared');
      else this.logger.warn('Redis is unreachable: in-process limits and local events until it returns');
    }
    for (const listener of [...this.healthListeners]) listener(next);
  }
}
