// MCP sessions shared by the replicas: one Redis record per session (TTL = MCP_SESSION_IDLE_SECONDS, renewed
// on use), so a session initialized through one replica works through any other. A replica also keeps the
// sessions it has served in memory: they carry on there while Redis is down, and their streams are closed
// when the session ends anywhere (DELETE on another replica is announced on a channel; expiry is found by
// the sweep).
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfigService } from '../../config/app-config.service';
import { RedisService } from '../../common/redis/redis.service';
import { McpSession, SessionStore } from './session-store';

type SessionPatch = Partial<Pick<McpSession, 'logLevel' | 'clientName' | 'clientVersion'>>;
const ENDED_CHANNEL = 'session-ended';
/** Fraction of the idle time after which a touch renews the Redis TTL again (30 min idle: every 18 s). */
const REFRESH_EVERY = 0.01;

export class RedisSessionStore implements SessionStore, OnApplicationShutdown {
  /** Sessions this replica created or served, with when it last saw them used. */
  private readonly local = new Map<string, McpSession>();
  /** Created while Redis was down: written to Redis when it is back, instead of being taken for ended. */
  private readonly unshared = new Set<string>();
  /** When this replica last renewed each session's TTL in Redis. */
  private readonly refreshedAt = new Map<string, number>();
  private readonly evictListeners: ((id: string) => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly logger = new Logger(RedisSessionStore.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly redis: RedisService,
  ) {
    this.sweeper = setInterval(() => void this.sweep(), Math.min(60_000, this.idleMs() / 2));
    this.sweeper.unref();
    this.unsubscribe = redis.subscribe(ENDED_CHANNEL, (id) => {
      if (this.local.has(id)) this.evict(id);
    });
  }

  async create(fields: Omit<McpSession, 'id' | 'createdAt' | 'lastSeenAt'>): Promise<McpSession> {
    const now = Date.now();
    const session: McpSession = { ...fields, id: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now };
    this.local.set(session.id, session);
    try {
      await this.redis.client.set(this.key(session.id), JSON.stringify(session), 'EX', this.idleSeconds());
      this.refreshedAt.set(session.id, now);
    } catch {
      this.unshared.add(session.id);
      this.logger.warn('Redis is down: a new MCP session works only through this replica until it is back');
    }
    return session;
  }

  async get(id: string): Promise<McpSession | null> {
    let raw: string | null;
    try {
      raw = await this.redis.client.get(this.key(id));
    } catch {
      return this.localCopy(id);
    }
    if (raw === null) {
      const mine = this.unshared.has(id) ? this.localCopy(id) : null;
      if (mine) return this.share(mine);
      // Ended or expired elsewhere (or never existed): close what this replica still holds for it.
      if (this.local.has(id)) this.evict(id);
      return null;
    }
    const stored = JSON.parse(raw) as McpSession;
    const session: McpSession = { ...stored, lastSeenAt: this.local.get(id)?.lastSeenAt ?? Date.now() };
    this.local.set(id, session);
    return session;
  }

  async update(id: string, patch: SessionPatch): Promise<void> {
    const mine = this.local.get(id);
    if (mine) Object.assign(mine, patch);
    try {
      const raw = await this.redis.client.get(this.key(id));
      if (raw !== null) await this.redis.client.set(this.key(id), JSON.stringify({ ...JSON.parse(raw), ...patch }), 'EX', this.idleSeconds(), 'XX');
    } catch {
      // Kept on this replica; the shared record keeps the old value until Redis is back and it changes again.
    }
  }

  async touch(id: string): Promise<void> {
    const now = Date.now();
    const mine = this.local.get(id);
    if (mine) mine.lastSeenAt = now;
    // A busy session renews its TTL at most every REFRESH_EVERY of its idle time: one round trip per call saved.
    const refreshed = this.refreshedAt.get(id) ?? 0;
    if (now - refreshed < this.idleMs() * REFRESH_EVERY) return;
    try {
      await this.redis.client.expire(this.key(id), this.idleSeconds());
      this.refreshedAt.set(id, now);
    } catch {
      // The local copy's lastSeenAt keeps it alive here meanwhile.
    }
  }

  async delete(id: string): Promise<boolean> {
    const hadLocal = this.local.delete(id);
    this.unshared.delete(id);
    this.refreshedAt.delete(id);
    try {
      const removed = (await this.redis.client.del(this.key(id))) > 0;
      await this.redis.publish(ENDED_CHANNEL, id);
      return removed || hadLocal;
    } catch {
      return hadLocal;
    }
  }

  onEvict(listener: (id: string) => void): void {
    this.evictListeners.push(listener);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.unsubscribe();
  }

  /** While Redis is down: the session as this replica last saw it, unless it has been idle too long. */
  private localCopy(id: string): McpSession | null {
    const s = this.local.get(id);
    if (!s) return null;
    if (Date.now() - s.lastSeenAt > this.idleMs()) {
      this.evict(id);
      return null;
    }
    return s;
  }

  private async share(session: McpSession): Promise<McpSession> {
    try {
      await this.redis.client.set(this.key(session.id), JSON.stringify(session), 'EX', this.idleSeconds(), 'NX');
      this.unshared.delete(session.id);
    } catch {
      // Still down: stays local.
    }
    return session;
  }

  /** Sessions idle here are kept if another replica has kept them alive, else evicted (streams closed). */
  private async sweep(): Promise<void> {
    const cutoff = Date.now() - this.idleMs();
    for (const [id, s] of this.local) {
      if (s.lastSeenAt >= cutoff) continue;
      let alive = false;
      try {
        alive = (await this.redis.client.exists(this.key(id))) > 0;
      } catch {
        // Redis down: go by what this replica saw.
      }
      if (alive) s.lastSeenAt = Date.now();
      else this.evict(id);
    }
  }

  private evict(id: string): void {
    this.local.delete(id);
    this.unshared.delete(id);
    this.refreshedAt.delete(id);
    for (const l of this.evictListeners) l(id);
  }

  private key(id: string): string {
    return this.redis.key('session', id);
  }

  private idleSeconds(): number {
    return this.config.env.MCP_SESSION_IDLE_SECONDS;
  }

  private idleMs(): number {
    return this.idleSeconds() * 1000;
  }
}
