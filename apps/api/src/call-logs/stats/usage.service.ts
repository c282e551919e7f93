// Monthly usage (calls and errors) per tenant, group, key or tool: the hourly usage rollup for what the rollup has
// passed, the call log itself for the rest, read in one snapshot (as CallStatsService does), so a call counts from
// the moment its row is committed. A month is whole hours, so the rollup covers it exactly.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UsageDimension, UsageDto, UsageItem } from '@toolgate/contracts';
import { DataSource, EntityManager } from 'typeorm';

interface Row {
  id: string | null;
  name: string | null;
  prefix?: string | null;
  group_id?: string | null;
  slug?: string | null;
  calls: string;
  errors: string;
}

/** Per dimension: what the rows are grouped by, and how each is named. `src` has the columns of call_stats_usage_hour. */
const BY: Record<UsageDimension | 'platform', string> = {
  tenant: `SELECT s.tenant_id::text AS id, t.name, sum(s.calls) AS calls, sum(s.errors) AS errors
           FROM src s JOIN tenants t ON t.id = s.tenant_id GROUP BY s.tenant_id, t.name`,
  group: `SELECT s.group_id::text AS id, g.name, sum(s.calls) AS calls, sum(s.errors) AS errors
          FROM src s LEFT JOIN tool_groups g ON g.tenant_id = s.tenant_id AND g.id = s.group_id GROUP BY s.group_id, g.name`,
  key: `SELECT s.api_key_id::text AS id, k.name, k.key_prefix AS prefix, k.group_id::text AS group_id, sum(s.calls) AS calls, sum(s.errors) AS errors
        FROM src s LEFT JOIN api_keys k ON k.tenant_id = s.tenant_id AND k.id = s.api_key_id
        GROUP BY s.api_key_id, k.name, k.key_prefix, k.group_id`,
  // Calls to a name that matched no tool are one row per name asked for.
  tool: `SELECT x.tool_id::text AS id, coalesce(t.name, x.asked) AS name, x.calls, x.errors FROM (
           SELECT tenant_id, tool_id, min(tool_name) AS asked, sum(calls) AS calls, sum(errors) AS errors
           FROM src GROUP BY tenant_id, tool_id, CASE WHEN tool_id IS NULL THEN tool_name END
         ) x LEFT JOIN tools t ON t.tenant_id = x.tenant_id AND t.id = x.tool_id`,
  platform: `SELECT s.tenant_id::text AS id, t.name, t.slug, sum(s.calls) AS calls, sum(s.errors) AS errors
             FROM src s LEFT JOIN tenants t ON t.id = s.tenant_id GROUP BY s.tenant_id, t.name, t.slug`,
};

@Injectable()
export class UsageService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One tenant's usage in `month` (YYYY-MM, default the current one), per `by`. */
  forTenant(tenantId: string, month: string | undefined, by: UsageDimension = 'tenant'): Promise<UsageDto> {
    return this.read(month, by, tenantId);
  }

  /** Every tenant's usage in `month`, one row per tenant (platform admins). */
  forPlatform(month: string | undefined): Promise<UsageDto> {
    return this.read(month, 'platform', null);
  }

  private async read(month: string | undefined, by: UsageDimension | 'platform', tenantId: string | null): Promise<UsageDto> {
    const { label, from, to } = monthRange(month);
    const rows = await this.db.transaction('REPEATABLE READ', async (m: EntityManager) => {
      const [{ watermark }] = await m.query(`SELECT watermark::text AS watermark FROM call_stats_rollup_state WHERE id = 1`);
      const tenant = tenantId ? 'tenant_id = $4 AND' : '$4::uuid IS NULL AND';
      return (await m.query(
        `WITH src AS MATERIALIZED (
           SELECT tenant_id, group_id, api_key_id, tool_id, tool_name, calls, errors
           FROM call_stats_usage_hour WHERE ${tenant} hour >= $1 AND hour < $2
           UNION ALL
           SELECT tenant_id, group_id, api_key_id, tool_id, tool_name, 1, is_error::int
           FROM call_logs WHERE ${tenant} seq > $3 AND created_at >= $1 AND created_at < $2
         )
         ${BY[by]}`,
        [from, to, watermark, tenantId],
      )) as Row[];
    });
    const items: UsageItem[] = rows.map((r) => ({
      id: r.id,
      name: r.name,
      ...(by === 'key' ? { prefix: r.prefix ?? null, groupId: r.group_id ?? null } : {}),
      ...(by === 'platform' ? { slug: r.slug ?? null } : {}),
      calls: Number(r.calls),
      errors: Number(r.errors),
    }));
    items.sort((x, y) => y.calls - x.calls || y.errors - x.errors || (x.name ?? '\uffff').localeCompare(y.name ?? '\uffff') || (x.id ?? '').localeCompare(y.id ?? ''));
    const total = items.reduce((t, i) => ({ calls: t.calls + i.calls, errors: t.errors + i.errors }), { calls: 0, errors: 0 });
    return { month: label, by: by === 'platform' ? 'tenant' : by, from: from.toISOString(), to: to.toISOString(), items, total };
  }
}

/** The UTC bounds of a `YYYY-MM` month, or of the current one. */
export function monthRange(month: string | undefined, now = new Date()): { label: string; from: Date; to: Date } {
  const [y, m] = month ? month.split('-').map(Number) : [now.getUTCFullYear(), now.getUTCMonth() + 1];
  const from = new Date(Date.UTC(y, m - 1, 1));
  const to = new Date(Date.UTC(y, m, 1));
  return { label: `${y}-${String(m).padStart(2, '0')}`, from, to };
}
