// Delivers a message to a legacy SSE session's stream wherever it is held: on this replica, or (with
// Redis) on the replica holding it. Legacy SSE answers every POST …/messages on its stream, so a POST
// that a load balancer sends to another replica is answered through here.
import { Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { RedisService } from '../../common/redis/redis.service';
import { StreamRegistry } from './stream-registry';

const CHANNEL = 'session-message';

@Injectable()
export class SessionRelay implements OnApplicationShutdown {
  private readonly unsubscribe?: () => void;

  constructor(
    private readonly streams: StreamRegistry,
    @Optional() private readonly redis?: RedisService,
  ) {
    this.unsubscribe = redis?.subscribe(CHANNEL, (raw) => {
      const { sessionId, message } = JSON.parse(raw) as { sessionId: string; message: unknown };
      if (this.streams.hasStream(sessionId)) this.streams.sendToSession(sessionId, message, false);
    });
  }

  /**
   * Whether a live session's stream can be reached: it is here, or Redis is up to carry the message to the
   * replica holding it (a legacy session's shared record exists only while its stream is open).
   */
  canReach(sessionId: string): boolean {
    return this.streams.hasStream(sessionId) || (this.redis?.isUp ?? false);
  }

  deliver(sessionId: string, message: unknown): void {
    if (this.streams.hasStream(sessionId)) this.streams.sendToSession(sessionId, message, false);
    else void this.redis?.publish(CHANNEL, JSON.stringify({ sessionId, message }));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }
}
