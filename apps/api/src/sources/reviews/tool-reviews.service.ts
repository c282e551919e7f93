// Drift reviews: an upstream changed a live tool; its old version stays live until an admin approves the new one
// (which goes live at once and reaches agents as list_changed) or rejects it (the old one stays).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ToolFace, ToolReviewDto, ToolReviewQuerySchema } from '@toolgate/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { TenantScope } from '../../auth/access.types';
import { AuditService } from '../../audit/audit.service';
import { AppException } from '../../common/errors/app-exception';
import { SourceDiscoveryService } from '../discovery/source-discovery.service';
import { faceHash } from '../discovery/tool-reconciler';

interface ReviewRow {
  id: string;
  source_id: string;
  tool_id: string;
  tool_name: string;
  status: ToolReviewDto['status'];
  live: ToolFace;
  proposed: ToolFace & { binding?: Record<string, unknown> | null };
  detected_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
}

const SELECT = `SELECT r.id, r.source_id, r.tool_id, t.name AS tool_name, r.status, r.live, r.proposed, r.detected_at, r.decided_at, u.email AS decided_by
                  FROM tool_reviews r JOIN tools t ON t.id = r.tool_id LEFT JOIN users u ON u.id = r.decided_by`;

@Injectable()
export class ToolReviewsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly discovery: SourceDiscoveryService,
  ) {}

  async list(tenantId: string, q: z.infer<typeof ToolReviewQuerySchema>): Promise<ToolReviewDto[]> {
    const rows: ReviewRow[] = await this.db.query(
      `${SELECT} WHERE r.tenant_id = $1 AND r.status = $2 AND ($3::uuid IS NULL OR r.source_id = $3) ORDER BY r.detected_at DESC LIMIT 500`,
      [tenantId, q.status, q.sourceId ?? null],
    );
    return rows.map(toDto);
  }

  async getById(tenantId: string, id: string): Promise<ToolReviewDto> {
    return toDto(await this.find(this.db.manager, tenantId, id));
  }

  async pendingCount(tenantId: string, sourceId: string): Promise<number> {
    const [{ count }]: { count: number }[] = await this.db.query(
      `SELECT count(*)::int AS count FROM tool_reviews WHERE tenant_id = $1 AND source_id = $2 AND status = 'pending'`,
      [tenantId, sourceId],
    );
    return count;
  }

  /** The proposed version goes live: the tool's version goes up and the agents of its groups get list_changed. */
  async approve(scope: TenantScope, id: string): Promise<ToolReviewDto> {
    const dto = await this.db.transaction(async (m) => {
      const review = await this.findPending(m, scope.tenantId, id);
      const { binding, ...face } = review.proposed;
      await m.query(
        `UPDATE tools SET title = $2, description = $3, input_schema = $4, output_schema = $5, annotations = $6, schema_hash = $7,
                          binding = coalesce($8::jsonb, binding), version = version + 1, updated_at = now()
          WHERE id = $1`,
        [review.tool_id, face.title, face.description, face.inputSchema, face.outputSchema, face.annotations, faceHash(review.tool_name, face), binding ? JSON.stringify(binding) : null],
      );
      return this.decide(m, scope, review, 'approved');
    });
    await this.discovery.announce(scope.tenantId, [dto.toolId]);
    return dto;
  }

  /** The old version stays live; the same upstream version will not be proposed again. */
  async reject(scope: TenantScope, id: string): Promise<ToolReviewDto> {
    return this.db.transaction(async (m) => this.decide(m, scope, await this.findPending(m, scope.tenantId, id), 'rejected'));
  }

  private async decide(m: EntityManager, scope: TenantScope, review: ReviewRow, status: 'approved' | 'rejected'): Promise<ToolReviewDto> {
    await m.query(`UPDATE tool_reviews SET status = $2, decided_at = now(), decided_by = $3 WHERE id = $1`, [review.id, status, scope.userId]);
    const after = toDto(await this.find(m, scope.tenantId, review.id));
    await this.audit.record(m, scope, {
      tenantId: scope.tenantId,
      action: `tool_review.${status === 'approved' ? 'approve' : 'reject'}`,
      entityType: 'tool',
      entityId: review.tool_id,
      before: review.live,
      after: review.proposed,
    });
    return after;
  }

  private async findPending(m: EntityManager, tenantId: string, id: string): Promise<ReviewRow> {
    const review = await this.find(m, tenantId, id, true);
    if (review.status !== 'pending') throw new AppException('REVIEW_CLOSED', `This review is already ${review.status}; refresh the source to see the current state.`);
    return review;
  }

  private async find(m: EntityManager, tenantId: string, id: string, forUpdate = false): Promise<ReviewRow> {
    const rows: ReviewRow[] = await m.query(`${SELECT} WHERE r.id = $1 AND r.tenant_id = $2${forUpdate ? ' FOR UPDATE OF r' : ''}`, [id, tenantId]);
    if (!rows.length) throw AppException.notFound('Review');
    return rows[0];
  }
}

function toDto(r: ReviewRow): ToolReviewDto {
  const { binding: _binding, ...proposed } = r.proposed;
  return {
    id: r.id,
    sourceId: r.source_id,
    toolId: r.tool_id,
    toolName: r.tool_name,
    status: r.status,
    live: r.live,
    proposed,
    detectedAt: new Date(r.detected_at).toISOString(),
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
    decidedBy: r.decided_by,
  };
}
