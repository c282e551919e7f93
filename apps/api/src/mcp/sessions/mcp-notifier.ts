// Turns admin changes into what the gateway must do at once: forget cached keys and groups, and
// tell connected agents (notifications/tools/list_changed).
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DomainEvents } from '../../common/events/domain-events';
import { KeyAuthenticator } from '../pipeline/key-authenticator';
import { StreamRegistry } from './stream-registry';

@Injectable()
export class McpNotifier implements OnApplicationShutdown {
  private readonly unsubscribe: (() => void)[];

  constructor(
    events: DomainEvents,
    auth: KeyAuthenticator,
    private readonly streams: StreamRegistry,
  ) {
    this.unsubscribe = [
      events.on('key.changed', ({ keyId }) => auth.invalidateKey(keyId)),
      events.on('group.changed', ({ groupId }) => auth.invalidateGroup(groupId)),
      events.on('catalog.changed', ({ groupIds }) => {
        // Let the catalog cache drop first (same event), then tell the agents.
        setImmediate(() => this.streams.notifyToolsChanged(groupIds));
      }),
    ];
  }

  onApplicationShutdown(): void {
    this.unsubscribe.forEach((off) => off());
    this.streams.closeAll();
  }
}
