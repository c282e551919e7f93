// MCP sessions of the 2025 revisions and the legacy SSE transport. The state is small and serialisable so
// that a Redis store can replace this one (hardening issue); open streams stay process-local.
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfigService } from '../../config/app-config.service';

export type SessionTransport = 'streamable-http' | 'sse';

export interface McpSession {
  id: string;
  transport: SessionTransport;
  serverCode: string;
  groupId: string;
  tenantId: string;
  /** The key that opened the session: every later request must present the same key. */
  keyId: string;
  protocolVersion: string;
  clientName: string | null;
  clientVersion: string | null;
  logLevel: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStore {
  create(session: Omit<McpSession, 'id' | 'createdAt' | 'lastSeenAt'>): Promise<McpSession>;
  get(id: string): Promise<McpSession | null>;
  update(id: string, patch: Partial<Pick<McpSession, 'logLevel' | 'clientName' | 'clientVersion'>>): Promise<void>;
  touch(id: string): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Ids of sessions evicted as idle since the last call, so their streams can be closed. */
  onEvict(listener: (id: string) => void): void;
}

export const SESSION_STORE = Symbol('SESSION_STORE');

@Injectable()
export class InMemorySessionStore implements SessionStore, OnApplicationShutdown {
  private readonly sessions = new Map<string, McpSession>();
  private readonly evictListeners: ((id: string) => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly config: AppConfigService) {
    this.sweeper = setInterval(() => this.evictIdle(), Math.min(60_000, this.idleMs() / 2));
    this.sweeper.unref();
  }

  async create(fields: Omit<McpSession, 'id' | 'createdAt' | 'lastSeenAt'>): Promise<McpSession> {
    const now = Date.now();
    const session: McpSession = { ...fields, id: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now };
    this.sessions.set(session.id, session);
    return session;
  }

  async get(id: string): Promise<McpSession | null> {
    const s = this.sessions.get(id);
    if (!s) return null;
    if (Date.now() - s.lastSeenAt > this.idleMs()) {
      this.evict(id);
      return null;
    }
    return s;
  }

  async update(id: string, patch: Partial<Pick<McpSession, 'logLevel' | 'clientName' | 'clientVersion'>>): Promise<void> {
    const s = this.sessions.get(id);
    if (s) Object.assign(s, patch);
  }

  async touch(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (s) s.lastSeenAt = Date.now();
  }

  async delete(id: string): Promise<boolean> {
    return this.sessions.delete(id);
  }

  onEvict(listener: (id: string) => void): void {
    this.evictListeners.push(listener);
  }

  get size(): number {
    return this.sessions.size;
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  private idleMs(): number {
    return this.config.env.MCP_SESSION_IDLE_SECONDS * 1000;
  }

  private evictIdle(): void {
    const cutoff = Date.now() - this.idleMs();
    for (const [id, s] of this.sessions) if (s.lastSeenAt < cutoff) this.evict(id);
  }

  private evict(id: string): void {
    this.sessions.delete(id);
    for (const l of this.evictListeners) l(id);
  }
}
