// Quotas beyond the group's: a tenant's own ceiling across its groups, and per-key overrides (issue 7).
// Concurrency caps live in JSON that already exists (tool_groups.rate_limit, tool_sources.config).
import { MigrationInterface, QueryRunner } from 'typeorm';

export class Quotas1763800000000 implements MigrationInterface {
  name = 'Quotas1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ADD COLUMN rate_limit jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE api_keys ADD COLUMN rate_limit jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN rate_limit`);
    await q.query(`ALTER TABLE tenants DROP COLUMN rate_limit`);
  }
}
