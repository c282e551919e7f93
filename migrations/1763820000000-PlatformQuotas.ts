// A ceiling on a tenant's tools/call set by platform admins, which the tenant's owners can read but not raise.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class PlatformQuotas1763820000000 implements MigrationInterface {
  name = 'PlatformQuotas1763820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ADD COLUMN platform_rate_limit jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants DROP COLUMN platform_rate_limit`);
  }
}
