// Before an http source is saved: the operations of its OpenAPI document and the tool each would become, so the
// admin can pick. The document URL is fetched through the tenant's SSRF guard, like everything else.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { OpenApiOperationDtoSchema, OpenApiPreviewSchema } from '@toolgate/contracts';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { ToolNamer } from '../discovery/tool-namer';
import { UpstreamCatalog } from '../discovery/upstream-catalog';
import { UpstreamError } from '../upstream/upstream.types';
import { AppException } from '../../common/errors/app-exception';
import { listOperations } from './openapi-tools';

@Injectable()
export class OpenApiPreview {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: UpstreamCatalog,
  ) {}

  async preview(tenantId: string, input: z.infer<typeof OpenApiPreviewSchema>) {
    const [tenant]: { network_allowlist: string[] }[] = await this.db.query('SELECT network_allowlist FROM tenants WHERE id = $1', [tenantId]);
    // A throwaway identity per preview: its fetch pool is no saved source's, nor another preview's (dropping a
    // shared one at the end of one preview would cut the document download of another running at the same time).
    const probe = { id: `preview:${randomUUID()}`, tenantId, kind: 'http' as const, namespace: input.namespace, config: {}, secrets: {}, networkAllowlist: tenant?.network_allowlist ?? [] };
    let doc;
    try {
      doc = await this.catalog.document(probe, input);
    } catch (err) {
      if (err instanceof UpstreamError) throw new AppException('SOURCE_UNAVAILABLE', `Could not fetch the OpenAPI document: ${err.message}`);
      throw err;
    } finally {
      this.catalog.forget(probe.id);
    }
    const namer = await this.namerFor(tenantId, input.namespace, input.toolNameTemplate);
    const operations: z.infer<typeof OpenApiOperationDtoSchema>[] = listOperations(doc).map((op) => ({
      operationId: op.operationId,
      method: op.method,
      path: op.path,
      summary: op.summary,
      toolName: op.unsupported ? null : namer.name(op.operationId),
      deprecated: op.deprecated,
      unsupported: op.unsupported ?? null,
    }));
    return { title: doc.info.title, version: doc.info.version, operations, notes: doc.notes };
  }

  /** Names as discovery will give them: the tenant's other tools keep theirs, the namespace's source keeps its own. */
  private async namerFor(tenantId: string, namespace: string, template: string | undefined): Promise<ToolNamer> {
    const tools: { name: string; upstream_name: string | null; own: boolean }[] = await this.db.query(
      `SELECT t.name, t.upstream_name, s.namespace = $2 AS own FROM tools t JOIN tool_sources s ON s.id = t.source_id AND s.tenant_id = t.tenant_id
        WHERE t.tenant_id = $1`,
      [tenantId, namespace],
    );
    const own = tools.filter((t) => t.own && t.upstream_name !== null);
    return new ToolNamer(
      namespace,
      template,
      tools.filter((t) => !own.includes(t)).map((t) => t.name),
      own.map((t) => [t.name, t.upstream_name!] as const),
    );
  }
}
