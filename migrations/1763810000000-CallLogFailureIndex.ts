// Auditors filter the call log by outcome, mostly for failures, which are rare: newest first, a page of
// `outcome = 'timeout'` (0.2 % of calls) walked the tenant's time index across tens of thousands of rows
// (p95 250–320 ms over 10 M rows in bench S5). Partial: the `ok` rows, nearly all of them, never touch it, so
// ingest pays only for failures. `outcome = 'ok'` is found at once through the tenant's time index.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CallLogFailureIndex1763810000000 implements MigrationInterface {
  name = 'CallLogFailureIndex1763810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX call_logs_failure_time_idx ON call_logs (tenant_id, outcome, created_at DESC, id DESC) WHERE outcome <> 'ok'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS call_logs_failure_time_idx`);
  }
}
