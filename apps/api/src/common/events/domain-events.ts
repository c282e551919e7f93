// Notifications of admin changes that running gateways must react to at once (cache invalidation,
// list_changed). With Redis every event is also published on one channel and applied on every other
// replica; the emitting replica has already applied it and ignores its own echo (replica id).
import { Global, Injectable, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { RedisService } from '../redis/redis.service';

export interface DomainEventMap {
  /** A key was revoked, rotated, regenerated or changed. */
  'key.changed': { keyId: string };
  /** A group's settings changed (enabled, limits, server code) or it was deleted. */
  'group.changed': { groupId: string; serverCode?: string };
  /** What a group exposes changed: a tool added, removed, overridden, enabled or edited. */
  'catalog.changed': { tenantId: string; groupIds: string[] };
  /** A source's settings or secrets changed, or it was disabled or deleted: its connections must be remade. */
  'source.changed': { tenantId: string; sourceId: string };
  /** A tenant's settings changed (its network allowlist, which every upstream connection of the tenant depends on). */
  'tenant.changed': { tenantId: string };
}

const EVENT_NAMES: ReadonlySet<string> = new Set<keyof DomainEventMap>(['key.changed', 'group.changed', 'catalog.changed', 'source.changed', 'tenant.changed']);
export const DOMAIN_EVENTS_CHANNEL = 'domain-events';

interface WireEvent {
  replica: string;
  event: keyof DomainEventMap;
  payload: unknown;
}

@Injectable()
export class DomainEvents implements OnApplicationShutdown {
  /** Tells this replica's messages apart from the others' on the shared channel. */
  readonly replicaId = randomUUID();
  private readonly emitter = new EventEmitter().setMaxListeners(100);
  private readonly logger = new Logger(DomainEvents.name);
  private readonly unsubscribe?: () => void;

  constructor(@Optional() private readonly redis?: RedisService) {
    this.unsubscribe = redis?.subscribe(DOMAIN_EVENTS_CHANNEL, (raw) => this.receive(raw));
  }

  /** Applies the event here at once, then (with Redis) on every other replica; while Redis is down it stays local. */
  emit<K extends keyof DomainEventMap>(event: K, payload: DomainEventMap[K]): void {
    this.emitter.emit(event, payload);
    if (this.redis) {
      const wire: WireEvent = { replica: this.replicaId, event, payload };
      void this.redis.publish(DOMAIN_EVENTS_CHANNEL, JSON.stringify(wire)).then((sent) => {
        // The other replicas' caches expire within MCP_AUTH_CACHE_MS anyway; only their list_changed is lost.
        if (!sent) this.logger.warn({ event }, 'Redis is down: a domain event stays on this replica');
      });
    }
  }

  on<K extends keyof DomainEventMap>(event: K, listener: (payload: DomainEventMap[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  private receive(raw: string): void {
    let wire: WireEvent;
    try {
      wire = JSON.parse(raw);
    } catch {
      return;
    }
    if (wire.replica === this.replicaId || !EVENT_NAMES.has(wire.event) || typeof wire.payload !== 'object' || wire.payload === null) return;
    this.emitter.emit(wire.event, wire.payload);
  }
}

@Global()
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class DomainEventsModule {}
