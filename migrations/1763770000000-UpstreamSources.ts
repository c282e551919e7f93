// Upstream tool sources: where a discovered tool lives at its source (its upstream name, or the HTTP request an
// OpenAPI operation becomes), the drift reviews of changed upstream tools, the platform's stdio command allowlist,
// and the claim that lets one replica at a time run a source's scheduled refresh.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class UpstreamSources1763770000000 implements MigrationInterface {
  name = 'UpstreamSources1763770000000';

  async up(q: QueryRunner): Promise<void> {
    // NULL for builtin and hand-made tools; for discovered tools the name the upstream knows, which the
    // namespaced `name` agents see is made from.
    await q.query(`ALTER TABLE tools ADD COLUMN upstream_name text`);
    // For HTTP tools: the request an OpenAPI operation becomes (method, path template, parameters, body).
    await q.query(`ALTER TABLE tools ADD COLUMN binding jsonb`);
    await q.query(`CREATE UNIQUE INDEX tools_source_upstream_name_key ON tools (source_id, upstream_name) WHERE upstream_name IS NOT NULL`);

    await q.query(`ALTER TABLE tool_sources ADD COLUMN refresh_claimed_until timestamptz`);
    await q.query(`ALTER TABLE tool_sources ADD COLUMN tool_count integer NOT NULL DEFAULT 0`);

    // A changed upstream tool that is live in the catalog: the old definition stays live until an admin decides.
    await q.query(`
      CREATE TABLE tool_reviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        source_id uuid NOT NULL REFERENCES tool_sources(id) ON DELETE CASCADE,
        tool_id uuid NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
        live jsonb NOT NULL,
        live_hash text NOT NULL,
        proposed jsonb NOT NULL,
        proposed_hash text NOT NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz,
        decided_by uuid REFERENCES users(id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX tool_reviews_pending_key ON tool_reviews (tool_id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX tool_reviews_tenant_idx ON tool_reviews (tenant_id, status, detected_at DESC)`);
    await q.query(`CREATE INDEX tool_reviews_tool_idx ON tool_reviews (tool_id, proposed_hash)`);

    // Commands a stdio source may run. Platform-wide: only platform admins edit it.
    await q.query(`
      CREATE TABLE stdio_commands (
        command text PRIMARY KEY CHECK (length(command) BETWEEN 1 AND 500),
        description text NOT NULL DEFAULT '',
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS stdio_commands`);
    await q.query(`DROP TABLE IF EXISTS tool_reviews`);
    await q.query(`ALTER TABLE tool_sources DROP COLUMN IF EXISTS tool_count`);
    await q.query(`ALTER TABLE tool_sources DROP COLUMN IF EXISTS refresh_claimed_until`);
    await q.query(`DROP INDEX IF EXISTS tools_source_upstream_name_key`);
    await q.query(`ALTER TABLE tools DROP COLUMN IF EXISTS binding`);
    await q.query(`ALTER TABLE tools DROP COLUMN IF EXISTS upstream_name`);
  }
}
