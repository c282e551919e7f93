// Open server-to-client streams on this replica: a session's GET stream (2025), a legacy SSE
// connection, or a 2026-07-28 `subscriptions/listen` stream. Notifications fan out from here.
import { Injectable } from '@nestjs/common';
import type { RpcNotification } from '../protocol/jsonrpc';
import { SseStream } from './sse-stream';

const REPLAY_BUFFER = 100;

interface SessionStreams {
  groupId: string;
  stream: SseStream | null;
  /** Recent events with ids, replayed after a reconnect with Last-Event-ID. */
  buffer: { id: string; message: unknown }[];
  nextEventId: number;
}

interface Subscription {
  groupId: string;
  stream: SseStream;
  subscriptionId: string;
  wantsToolsListChanged: boolean;
}

@Injectable()
export class StreamRegistry {
  private readonly sessions = new Map<string, SessionStreams>();
  private readonly subscriptions = new Set<Subscription>();

  /** Registers a session so its notifications are buffered even before (or between) GET streams. */
  track(sessionId: string, groupId: string): void {
    if (!this.sessions.has(sessionId)) this.sessions.set(sessionId, { groupId, stream: null, buffer: [], nextEventId: 1 });
  }

  /** Attaches the session's one GET/SSE stream, replaying what came after `lastEventId`. */
  attach(sessionId: string, stream: SseStream, lastEventId?: string): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    s.stream?.close();
    s.stream = stream;
    if (lastEventId !== undefined) {
      const after = Number(lastEventId.split(':').pop());
      for (const e of s.buffer) if (Number(e.id.split(':').pop()) > after) stream.send(e.message, e.id);
    }
    stream.onClose(() => {
      if (s.stream === stream) s.stream = null;
    });
  }

  /** Sends to the session's stream now, or keeps it for the next one (SSE legacy responses use this too). */
  sendToSession(sessionId: string, message: unknown, resumable = true): boolean {
    const s = this.sessions.get(sessionId);
    if (!s) return false;
    if (resumable) {
      const id = `${sessionId.slice(0, 8)}:${s.nextEventId++}`;
      s.buffer.push({ id, message });
      if (s.buffer.length > REPLAY_BUFFER) s.buffer.shift();
      s.stream?.send(message, id);
    } else {
      s.stream?.send(message);
    }
    return s.stream !== null;
  }

  hasStream(sessionId: string): boolean {
    return this.sessions.get(sessionId)?.stream?.isOpen ?? false;
  }

  forget(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    s?.stream?.close();
    this.sessions.delete(sessionId);
  }

  subscribe(sub: Subscription): void {
    this.subscriptions.add(sub);
    sub.stream.onClose(() => this.subscriptions.delete(sub));
  }

  /** `notifications/tools/list_changed` to every session and subscription of these groups (`'all'`: of every group) on this replica. */
  notifyToolsChanged(groupIds: readonly string[] | 'all'): number {
    const groups = groupIds === 'all' ? { has: () => true } : new Set(groupIds);
    const notification: RpcNotification = { jsonrpc: '2.0', method: 'notifications/tools/list_changed' };
    let sent = 0;
    for (const [id, s] of this.sessions) {
      if (groups.has(s.groupId)) {
        this.sendToSession(id, notification);
        sent++;
      }
    }
    for (const sub of this.subscriptions) {
      if (sub.wantsToolsListChanged && groups.has(sub.groupId)) {
        sub.stream.send({ ...notification, params: { _meta: { 'io.modelcontextprotocol/subscriptionId': sub.subscriptionId } } });
        sent++;
      }
    }
    return sent;
  }

  closeAll(): void {
    for (const s of this.sessions.values()) s.stream?.close();
    for (const sub of this.subscriptions) sub.stream.close();
  }
}
