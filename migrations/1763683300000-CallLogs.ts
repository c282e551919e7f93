// The call log: one row per MCP call, partitioned by month, indexed for the auditors' queries.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CallLogs1763683300000 implements MigrationInterface {
  name = 'CallLogs1763683300000';

  async up(q: QueryRunner): Promise<void> {
    // No foreign keys: a log row outlives the key, tool or group it names, and inserts stay cheap.
    // The primary key includes created_at because a partitioned table's unique keys must hold the partition key;
    // both are assigned by the gateway, so a replayed row conflicts with itself and is skipped.
    await q.query(`
      CREATE TABLE call_logs (
        id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        tenant_id uuid,
        group_id uuid,
        api_key_id uuid,
        tool_id uuid,
        tool_name text,
        method text NOT NULL,
        session_id text,
        client_name text,
        client_version text,
        caller_ip text,
        arguments jsonb,
        result_summary jsonb,
        is_error boolean NOT NULL DEFAULT false,
        outcome text NOT NULL,
        error_code text,
        duration_ms integer NOT NULL DEFAULT 0,
        upstream_duration_ms integer,
        request_id text,
        PRIMARY KEY (created_at, id)
      ) PARTITION BY RANGE (created_at)`);
    await q.query(`CREATE INDEX call_logs_tenant_time_idx ON call_logs (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX call_logs_group_time_idx ON call_logs (group_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX call_logs_tool_time_idx ON call_logs (tool_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX call_logs_key_time_idx ON call_logs (api_key_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX call_logs_id_idx ON call_logs (id)`);
    // Rows outside every monthly partition land here instead of failing: nothing is lost.
    await q.query(`CREATE TABLE call_logs_default PARTITION OF call_logs DEFAULT`);

    // Creates the monthly partitions from this month to `months_ahead` months ahead; safe to call repeatedly
    // (the API calls it at boot and daily).
    await q.query(`
      CREATE OR REPLACE FUNCTION toolgate_ensure_call_log_partitions(months_ahead integer DEFAULT 3)
      RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        month_start date := date_trunc('month', now())::date;
        part_start date;
        part_end date;
        part_name text;
        created integer := 0;
      BEGIN
        FOR i IN 0..months_ahead LOOP
          part_start := (month_start + make_interval(months => i))::date;
          part_end := (part_start + interval '1 month')::date;
          part_name := 'call_logs_' || to_char(part_start, 'YYYY_MM');
          IF to_regclass(part_name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF call_logs FOR VALUES FROM (%L) TO (%L)', part_name, part_start, part_end);
            created := created + 1;
          END IF;
        END LOOP;
        RETURN created;
      END $$`);
    await q.query(`SELECT toolgate_ensure_call_log_partitions(3)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS toolgate_ensure_call_log_partitions(integer)`);
    await q.query(`DROP TABLE IF EXISTS call_logs CASCADE`);
  }
}
