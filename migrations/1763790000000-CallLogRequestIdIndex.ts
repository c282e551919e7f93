// Errors tell users to quote their request id; auditors and support find that call by it (and the console's
// playground finds the row its call produced). Partial: rows without a request id cost nothing.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CallLogRequestIdIndex1763790000000 implements MigrationInterface {
  name = 'CallLogRequestIdIndex1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX call_logs_request_id_idx ON call_logs (request_id) WHERE request_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS call_logs_request_id_idx`);
  }
}
