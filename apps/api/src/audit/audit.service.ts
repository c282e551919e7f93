// Writes and reads audit events. Writes take the caller's transaction manager, so the change
// and its audit event commit together or not at all.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditEventDto, AuditQuery } from '@toolgate/contracts';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/access.types';
import { newestFirstPage, WhereBuilder } from '../common/pagination/cursor';
import { redact } from '../common/redaction/redact';
import { AuditEvent } from './audit-event.entity';

export interface AuditChange {
  tenantId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

interface AuditRow {
  id: string;
  created_at_text: string;
  created_at: Date;
  tenant_id: string | null;
  actor_user_id: string | null;
  actor_email: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  request_id: string | null;
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(manager: EntityManager, actor: Actor | null, change: AuditChange): Promise<void> {
    await manager.insert(AuditEvent, {
      tenantId: change.tenantId,
      actorUserId: actor?.userId ?? null,
      actorEmail: actor?.email ?? null,
      action: change.action,
      entityType: change.entityType,
      entityId: change.entityId,
      before: change.before === undefined ? null : (redact(change.before) as object),
      after: change.after === undefined ? null : (redact(change.after) as object),
      ip: actor?.ip ?? null,
      requestId: actor?.requestId ?? null,
    });
  }

  async query(tenantId: string, q: AuditQuery): Promise<{ items: AuditEventDto[]; nextCursor: string | null }> {
    const where = new WhereBuilder()
      .add('tenant_id = ?', tenantId)
      .add('entity_type = ?', q.entityType)
      .add('entity_id = ?', q.entityId)
      .add('actor_user_id = ?', q.actorUserId)
      .add('action = ?', q.action)
      .add('created_at >= ?', q.from)
      .add('created_at < ?', q.to)
      .after(q.cursor);
    const page = await newestFirstPage<AuditRow>(this.db, 'audit_events', where, q.limit);
    return { items: page.rows.map(toDto), nextCursor: page.nextCursor };
  }
}

function toDto(r: AuditRow): AuditEventDto {
  return {
    id: r.id,
    createdAt: new Date(r.created_at).toISOString(),
    tenantId: r.tenant_id,
    actorUserId: r.actor_user_id,
    actorEmail: r.actor_email,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
    ip: r.ip,
    requestId: r.request_id,
  };
}
