// Turns admin changes into what the gateway must do at once: forget cached keys and groups, and
// tell connected agents (notifications/tools/list_changed).
import { Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DomainEvents } from '../../common/events/domain-events';
import { RedisService } from '../../common/redis/redis.service';
import { KeyAuthenticator } from '../pipeline/key-authenticator';
import { StreamRegistry } from './stream-registry';

@Injectable()
export class McpNotifier implements OnApplicationShutdown {
  private readonly unsubscribe: (() => void)[];

  constructor(
    events: DomainEvents,
    auth: KeyAuthenticator,
    private readonly streams: StreamRegistry,
    @Optional() redis?: RedisService,
  ) {
    let wasDown = false;
    this.unsubscribe = [
      events.on('key.changed', ({ keyId }) => auth.invalidateKey(keyId)),
      events.on('group.changed', ({ groupId }) => auth.invalidateGroup(groupId)),
      events.on('catalog.changed', ({ groupIds }) => {
        // Let the catalog cache drop first (same event), then tell the agents.
        setImmediate(() => this.streams.notifyToolsChanged(groupIds));
      }),
      // Tool changes made on other replicas while Redis was down were never heard here: once it is back,
      // every agent on this replica is told to list its tools again (a spurious list_changed is harmless).
      redis?.onHealthChange((health) => {
        if (health === 'down') wasDown = true;
        else if (wasDown) {
          wasDown = false;
          this.streams.notifyToolsChanged('all');
        }
      }) ?? (() => undefined),
    ];
  }

  onApplicationShutdown(): void {
    this.unsubscribe.forEach((off) => off());
    this.streams.closeAll();
  }
}
