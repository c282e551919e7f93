// In-process notifications of admin changes that running gateways must react to at once
// (cache invalidation, list_changed). The hardening issue carries them across replicas over Redis.
import { Global, Injectable, Module } from '@nestjs/common';
import { EventEmitter } from 'node:events';

export interface DomainEventMap {
  /** A key was revoked, rotated, regenerated or changed. */
  'key.changed': { keyId: string };
  /** A group's settings changed (enabled, limits, server code) or it was deleted. */
  'group.changed': { groupId: string; serverCode?: string };
  /** What a group exposes changed: a tool added, removed, overridden, enabled or edited. */
  'catalog.changed': { tenantId: string; groupIds: string[] };
}

@Injectable()
export class DomainEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emit<K extends keyof DomainEventMap>(event: K, payload: DomainEventMap[K]): void {
    this.emitter.emit(event, payload);
  }

  on<K extends keyof DomainEventMap>(event: K, listener: (payload: DomainEventMap[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}

@Global()
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class DomainEventsModule {}
