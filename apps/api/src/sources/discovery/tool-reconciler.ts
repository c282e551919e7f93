// Applies one discovery to the catalog, inside the caller's transaction: new tools arrive disabled; a changed tool
// that is live keeps its old version and gets a pending review; a changed tool that is not live is updated in
// place; tools gone from the upstream are marked removed (never deleted, so old call logs still resolve).
import type { RefreshResult, ToolFace } from '@toolgate/contracts';
import { EntityManager } from 'typeorm';
import { canonicalJson, schemaHash, type ToolFaceRow } from '../../tools/schema-hash';
import type { DiscoveredTool } from './upstream-catalog';
import { ToolNamer } from './tool-namer';

interface ExistingTool extends ToolFaceRow {
  id: string;
  upstream_name: string;
  enabled: boolean;
  status: 'active' | 'removed';
  binding: Record<string, unknown> | null;
}

export interface SourceRef {
  id: string;
  tenantId: string;
  namespace: string;
  toolNameTemplate?: string;
}

export interface Reconciliation {
  result: RefreshResult;
  /** Tools whose live definition changed (renamed, removed, restored): their groups' agents must hear it. */
  changedToolIds: string[];
  activeCount: number;
}

export const faceHash = (name: string, face: ToolFace) => schemaHash({ name, ...face });

const faceOf = (t: ExistingTool): ToolFace => ({
  title: t.title,
  description: t.description,
  inputSchema: t.input_schema,
  outputSchema: t.output_schema,
  annotations: t.annotations,
});

export async function reconcileTools(m: EntityManager, source: SourceRef, discovered: DiscoveredTool[]): Promise<Reconciliation> {
  const existing: ExistingTool[] = await m.query(
    `SELECT id, name, upstream_name, title, description, input_schema, output_schema, annotations, schema_hash, enabled, status, binding
       FROM tools WHERE tenant_id = $1 AND source_id = $2 AND upstream_name IS NOT NULL`,
    [source.tenantId, source.id],
  );
  const byUpstream = new Map(existing.map((t) => [t.upstream_name, t]));
  const others: { name: string }[] = await m.query(`SELECT name FROM tools WHERE tenant_id = $1 AND source_id <> $2`, [source.tenantId, source.id]);
  const namer = new ToolNamer(
    source.namespace,
    source.toolNameTemplate,
    others.map((t) => t.name),
    existing.map((t) => [t.name, t.upstream_name] as const),
  );
  const result: RefreshResult = { added: [], pendingReview: [], updated: [], removed: [], restored: [], unchanged: 0 };
  const changedToolIds: string[] = [];
  const seen = new Set<string>();

  for (const d of discovered) {
    if (seen.has(d.upstreamName)) continue; // an upstream listing the same name twice: the first wins
    seen.add(d.upstreamName);
    const name = namer.name(d.upstreamName);
    const hash = faceHash(name, d.face);
    const binding = d.binding ? JSON.stringify(d.binding) : null;
    const current = byUpstream.get(d.upstreamName);
    if (!current) {
      await m.query(
        `INSERT INTO tools (tenant_id, source_id, name, upstream_name, title, description, input_schema, output_schema, annotations,
                            version, schema_hash, enabled, status, binding)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, false, 'active', $11)`,
        [source.tenantId, source.id, name, d.upstreamName, d.face.title, d.face.description, d.face.inputSchema, d.face.outputSchema, d.face.annotations, hash, binding],
      );
      result.added.push(name);
      continue;
    }

    let liveChanged = false;
    if (current.status === 'removed') {
      await m.query(`UPDATE tools SET status = 'active', updated_at = now() WHERE id = $1`, [current.id]);
      result.restored.push(name);
      liveChanged = true;
    }
    if (current.name !== name) {
      // The source's naming template changed: an admin decision, applied at once.
      await m.query(`UPDATE tools SET name = $2, schema_hash = $3, updated_at = now() WHERE id = $1`, [current.id, name, faceHash(name, faceOf(current))]);
      liveChanged = true;
    }
    const liveHash = faceHash(name, faceOf(current));
    if (liveHash === hash) {
      // Compared canonically: jsonb does not keep key order, so the stored binding's text never equals the new one's.
      if (canonicalJson(current.binding) !== canonicalJson(d.binding)) {
        await m.query(`UPDATE tools SET binding = $2, updated_at = now() WHERE id = $1`, [current.id, binding]);
      }
      // The upstream went back to the live version: nothing left to review.
      await m.query(`UPDATE tool_reviews SET status = 'superseded', decided_at = now() WHERE tool_id = $1 AND status = 'pending'`, [current.id]);
      if (!result.restored.includes(name)) result.unchanged++;
    } else if (!current.enabled) {
      await m.query(
        `UPDATE tools SET title = $2, description = $3, input_schema = $4, output_schema = $5, annotations = $6, schema_hash = $7,
                          binding = $8, version = version + 1, updated_at = now()
          WHERE id = $1`,
        [current.id, d.face.title, d.face.description, d.face.inputSchema, d.face.outputSchema, d.face.annotations, hash, binding],
      );
      await m.query(`UPDATE tool_reviews SET status = 'superseded', decided_at = now() WHERE tool_id = $1 AND status = 'pending'`, [current.id]);
      result.updated.push(name);
    } else if (await openReview(m, source, current, liveHash, d, hash)) {
      result.pendingReview.push(name);
    } else {
      result.unchanged++;
    }
    if (liveChanged) changedToolIds.push(current.id);
  }

  for (const t of existing) {
    if (seen.has(t.upstream_name) || t.status === 'removed') continue;
    await m.query(`UPDATE tools SET status = 'removed', updated_at = now() WHERE id = $1`, [t.id]);
    await m.query(`UPDATE tool_reviews SET status = 'superseded', decided_at = now() WHERE tool_id = $1 AND status = 'pending'`, [t.id]);
    result.removed.push(t.name);
    changedToolIds.push(t.id);
  }

  const [{ count }]: { count: number }[] = await m.query(
    `SELECT count(*)::int AS count FROM tools WHERE tenant_id = $1 AND source_id = $2 AND status = 'active'`,
    [source.tenantId, source.id],
  );
  return { result, changedToolIds, activeCount: count };
}

/**
 * Opens a review of the upstream's new version of a live tool, unless one for this exact version is already pending
 * or was rejected. Returns whether a review is pending for it now.
 */
async function openReview(m: EntityManager, source: SourceRef, current: ExistingTool, liveHash: string, d: DiscoveredTool, proposedHash: string): Promise<boolean> {
  const known: { status: string }[] = await m.query(
    `SELECT status FROM tool_reviews WHERE tool_id = $1 AND proposed_hash = $2 AND status IN ('pending', 'rejected') LIMIT 1`,
    [current.id, proposedHash],
  );
  if (known.length) return known[0].status === 'pending';
  await m.query(`UPDATE tool_reviews SET status = 'superseded', decided_at = now() WHERE tool_id = $1 AND status = 'pending'`, [current.id]);
  await m.query(
    `INSERT INTO tool_reviews (tenant_id, source_id, tool_id, live, live_hash, proposed, proposed_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [source.tenantId, source.id, current.id, faceOf(current), liveHash, { ...d.face, binding: d.binding }, proposedHash],
  );
  return true;
}
