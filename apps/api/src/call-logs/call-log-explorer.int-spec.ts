// The auditors' explorer beyond plain pages: text search in arguments, the detail, counts and the streamed export.
import { CALL_LOG_CSV_COLUMNS } from '@toolgate/contracts';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { addMember, auth, createEchoEndpoint, createTenant, TestTenant, TestUser } from '../../test/factories';
import { sessionClient } from '../../test/mcp-clients';
import { createTestApp, TestApp } from '../../test/test-app';
import { CallLogsService } from './call-logs.service';
import { CallLogExportService } from './export/call-log-export.service';

interface Seed {
  id?: string;
  tenantId: string;
  secondsAgo: number;
  groupId?: string;
  toolName?: string;
  outcome?: string;
  arguments?: unknown;
  errorCode?: string | null;
}

async function insert(t: TestApp, rows: Seed[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of rows) {
    const id = r.id ?? randomUUID();
    ids.push(id);
    await t.db.query(
      `INSERT INTO call_logs (id, created_at, tenant_id, group_id, tool_name, method, outcome, is_error, arguments, error_code, duration_ms)
       VALUES ($1, now() - make_interval(secs => $2), $3, $4, $5, 'tools/call', $6, $6 <> 'ok', $7::jsonb, $8, 7)`,
      [id, r.secondsAgo, r.tenantId, r.groupId ?? null, r.toolName ?? 'crm.search', r.outcome ?? 'ok', r.arguments === undefined ? null : JSON.stringify(r.arguments), r.errorCode ?? null],
    );
  }
  return ids;
}

/** RFC 4180 parser for the checks below: quoted cells with doubled quotes and line breaks, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  if (cell !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

describe('call-log explorer (real PostgreSQL)', () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let viewer: TestUser;
  let auditor: TestUser;
  const g1 = randomUUID();
  const g2 = randomUUID();
  /** Tenant A's rows by label. */
  const id: Record<string, string> = {};

  const list = (query: Record<string, string | number>, tenant = a, user = tenant.owner) =>
    t.http().get('/api/v1/call-logs').query(query).set(auth(user.token, tenant.id));
  const ids = async (query: Record<string, string | number>) => {
    const res = await list({ limit: 500, ...query });
    expect(res.status).toBe(200);
    return res.body.items.map((i: { id: string }) => i.id) as string[];
  };

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    [a, b] = [await createTenant(t), await createTenant(t)];
    viewer = await addMember(t, a, 'viewer');
    auditor = await addMember(t, a, 'auditor');
    const labelled: [string, Omit<Seed, 'tenantId'>][] = [
      ['percent', { secondsAgo: 10, groupId: g1, arguments: { q: '100% sure' } }],
      ['hundred', { secondsAgo: 20, groupId: g1, arguments: { q: '100 percent' } }],
      ['snake', { secondsAgo: 30, groupId: g1, arguments: { name: 'snake_case' } }],
      ['snakeX', { secondsAgo: 40, groupId: g2, arguments: { name: 'snakeXcase' } }],
      ['backslash', { secondsAgo: 50, groupId: g2, arguments: { path: 'C:\\temp' } }],
      ['noBackslash', { secondsAgo: 60, groupId: g2, arguments: { path: 'C:temp' } }],
      ['quote', { secondsAgo: 70, groupId: g1, outcome: 'tool_error', arguments: { text: 'He said "hi"' } }],
      ['mixed', { secondsAgo: 80, groupId: g1, outcome: 'tool_error', arguments: { text: 'MiXeD CaSe' } }],
      ['newline', { secondsAgo: 90, groupId: g2, arguments: { note: 'line\nbreak' } }],
      ['nothing', { secondsAgo: 100, groupId: g2, arguments: undefined }],
      ['csv', { secondsAgo: 110, groupId: g1, toolName: '=cmd|calc', outcome: 'denied', errorCode: '-1, "x"', arguments: { s: '@SUM(1)', n: -5 } }],
    ];
    for (const [label, seed] of labelled) [id[label]] = await insert(t, [{ ...seed, tenantId: a.id }]);
    // Tenant B holds the same arguments (and the same group ids): only the tenant tells them apart.
    await insert(t, labelled.map(([, seed]) => ({ ...seed, tenantId: b.id })));
  });
  afterAll(() => t.close());

  describe('q: text in the arguments', () => {
    it.each([
      ['%', ['percent']],
      ['100%', ['percent']],
      ['_', ['snake']],
      ['snake_case', ['snake']],
      ['\\', ['backslash']],
      ['C:\\t', ['backslash']],
      ['said "hi"', ['quote']],
      ['"', ['quote']],
      ['mixed case', ['mixed']],
      ['MIXED', ['mixed']],
      ['line\nbreak', ['newline']],
      ['100', ['percent', 'hundred']],
      ['path', ['backslash', 'noBackslash']],
      ['no such text', []],
    ])('q=%j finds exactly %j, LIKE metacharacters taken literally', async (q, labels) => {
      expect(await ids({ q })).toEqual(labels.map((l) => id[l]));
    });

    it('combines with the other filters', async () => {
      expect(await ids({ q: 'e', groupId: g1, outcome: 'tool_error' })).toEqual([id.quote, id.mixed]);
      expect(await ids({ q: 'snake', groupId: g2 })).toEqual([id.snakeX]);
    });

    it('never finds another tenant’s rows', async () => {
      const bRows = new Set((await t.db.query(`SELECT id FROM call_logs WHERE tenant_id = $1`, [b.id])).map((r: { id: string }) => r.id));
      for (const q of ['%', '100', 'e', 'C:']) {
        const found = await ids({ q });
        expect(found.length).toBeGreaterThan(0);
        expect(found.filter((x) => bRows.has(x))).toEqual([]);
      }
    });

    it('refuses an empty or over-long q with 422', async () => {
      expect((await list({ q: '' })).status).toBe(422);
      expect((await list({ q: 'x'.repeat(201) })).status).toBe(422);
    });
  });

  describe('GET /api/v1/call-logs/:id', () => {
    it('answers the row as the list shows it', async () => {
      const [item] = (await list({ q: 'said' })).body.items;
      const res = await t.http().get(`/api/v1/call-logs/${id.quote}`).set(auth(auditor.token, a.id));
      expect(res.status).toBe(200);
      expect(res.body).toEqual(item);
      expect(res.body.arguments).toEqual({ text: 'He said "hi"' });
    });

    it('answers 404 for another tenant’s row and an unknown id, 400 for a non-uuid, 403 for a viewer', async () => {
      const [bRow] = await t.db.query(`SELECT id FROM call_logs WHERE tenant_id = $1 LIMIT 1`, [b.id]);
      for (const missing of [bRow.id, randomUUID()]) {
        const res = await t.http().get(`/api/v1/call-logs/${missing}`).set(auth(a.owner.token, a.id));
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
      expect((await t.http().get(`/api/v1/call-logs/${bRow.id}`).set(auth(b.owner.token, b.id))).status).toBe(200);
      expect((await t.http().get('/api/v1/call-logs/not-a-uuid').set(auth(a.owner.token, a.id))).status).toBe(400);
      expect((await t.http().get(`/api/v1/call-logs/${id.quote}`).set(auth(viewer.token, a.id))).status).toBe(403);
    });
  });

  describe('GET /api/v1/call-logs/count', () => {
    it('counts exactly within the filters and the tenant', async () => {
      const count = (query: Record<string, string>) => t.http().get('/api/v1/call-logs/count').query(query).set(auth(auditor.token, a.id));
      expect((await count({})).body).toEqual({ count: 11, exact: true });
      expect((await count({ groupId: g1 })).body).toEqual({ count: 6, exact: true });
      expect((await count({ q: '100' })).body).toEqual({ count: 2, exact: true });
      expect((await count({ q: '_', groupId: g2 })).body).toEqual({ count: 0, exact: true });
      expect((await count({ outcome: 'tool_error', q: 'e' })).body).toEqual({ count: 2, exact: true });
      expect((await count({ limit: '5' })).status).toBe(422);
      expect((await t.http().get('/api/v1/call-logs/count').set(auth(viewer.token, a.id))).status).toBe(403);
    });
  });

  describe('GET /api/v1/call-logs/export', () => {
    const exportOf = (query: Record<string, string>, user = auditor) => t.http().get('/api/v1/call-logs/export').query(query).set(auth(user.token, a.id)).buffer(true);

    it('streams CSV: header, newest first, RFC 4180 quoting, formulas neutralized, attachment name and row estimate', async () => {
      const res = await exportOf({ format: 'csv' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="call-logs-${a.slug}-\\d{8}T\\d{6}Z\\.csv"$`));
      expect(res.headers['x-toolgate-row-estimate']).toBe('11');
      expect(res.headers['x-toolgate-row-estimate-kind']).toBe('exact');
      const rows = parseCsv(res.text);
      expect(rows[0]).toEqual([...CALL_LOG_CSV_COLUMNS]);
      const col = (name: string) => CALL_LOG_CSV_COLUMNS.indexOf(name as never);
      const body = rows.slice(1);
      expect(body.map((r) => r[col('id')])).toEqual(await ids({}));
      const csv = body.find((r) => r[col('id')] === id.csv)!;
      expect(csv[col('toolName')]).toBe("'=cmd|calc");
      expect(csv[col('errorCode')]).toBe(`'-1, "x"`);
      // JSON text: starts with {, so nothing to neutralize; the formula-looking value inside stays as stored.
      expect(csv[col('arguments')].startsWith('{')).toBe(true);
      expect(JSON.parse(csv[col('arguments')])).toEqual({ s: '@SUM(1)', n: -5 });
      expect(csv[col('outcome')]).toBe('denied');
      expect(csv[col('isError')]).toBe('true');
      expect(csv[col('durationMs')]).toBe('7');
      expect(csv[col('sessionId')]).toBe('');
      const newline = body.find((r) => r[col('id')] === id.newline)!;
      expect(JSON.parse(newline[col('arguments')])).toEqual({ note: 'line\nbreak' });
      // The raw text really quotes what needs it.
      expect(res.text).toContain(`,"'-1, ""x""",`);
    });

    it('streams NDJSON: one DTO per line, as the list answers them, with the filters applied', async () => {
      const res = await exportOf({ format: 'ndjson', groupId: g1, q: 'e' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/\.ndjson"$/);
      expect(res.text.endsWith('\n')).toBe(true);
      const lines = res.text.trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(lines).toEqual((await list({ groupId: g1, q: 'e', limit: 500 })).body.items);
      expect(lines.length).toBeGreaterThan(1);
    });

    it('records an audit event per export: who, which format, which filters', async () => {
      await exportOf({ format: 'ndjson', outcome: 'denied', q: '@SUM' });
      const res = await t.http().get('/api/v1/audit-events').query({ action: 'call_logs.exported' }).set(auth(a.owner.token, a.id));
      expect(res.status).toBe(200);
      const event = res.body.items.find((e: { after: { format: string; filters: { q?: string } } }) => e.after.format === 'ndjson' && e.after.filters.q === '@SUM');
      expect(event).toMatchObject({
        actorUserId: auditor.id,
        actorEmail: auditor.email,
        entityType: 'call_logs',
        after: { format: 'ndjson', filters: { outcome: 'denied', q: '@SUM' }, rowEstimate: 1, exact: true },
      });
    });

    it('refuses a viewer, an unknown format and an unknown filter', async () => {
      expect((await exportOf({}, viewer)).status).toBe(403);
      expect((await exportOf({ format: 'xlsx' })).status).toBe(422);
      expect((await exportOf({ cursor: 'x' })).status).toBe(422);
    });

    it('streams a few thousand rows in batches, every row once, newest first', async () => {
      const c = await createTenant(t);
      await t.db.query(
        `INSERT INTO call_logs (id, created_at, tenant_id, method, outcome, arguments)
         SELECT gen_random_uuid(), now() - (i % 700) * interval '1 second', $1, 'tools/call', 'ok', jsonb_build_object('i', i)
         FROM generate_series(1, 2500) AS i`,
        [c.id],
      );
      const queries = jest.spyOn(t.app.get(CallLogsService), 'query');
      try {
        const res = await t.http().get('/api/v1/call-logs/export').query({ format: 'csv' }).set(auth(c.owner.token, c.id)).buffer(true);
        expect(res.status).toBe(200);
        expect(res.headers['transfer-encoding']).toBe('chunked');
        const rows = parseCsv(res.text).slice(1);
        expect(rows).toHaveLength(2500);
        const expected = (await t.db.query(`SELECT id FROM call_logs WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC`, [c.id])).map((r: { id: string }) => r.id);
        expect(rows.map((r) => r[0])).toEqual(expected);
        // Keyset batches of 1,000: three pages, never the whole set at once.
        expect(queries.mock.calls.map(([, q]) => q.limit)).toEqual([1000, 1000, 1000]);
      } finally {
        queries.mockRestore();
      }
    });

    it('stops reading the database when the client goes away', async () => {
      const c = await createTenant(t);
      // 20,000 rows of 3 kB: far more than the socket buffers hold, so the server must wait for the client.
      await t.db.query(
        `INSERT INTO call_logs (id, created_at, tenant_id, method, outcome, arguments)
         SELECT gen_random_uuid(), now() - i * interval '1 millisecond', $1, 'tools/call', 'ok', jsonb_build_object('pad', repeat('x', 3000), 'i', i)
         FROM generate_series(1, 20000) AS i`,
        [c.id],
      );
      const queries = jest.spyOn(t.app.get(CallLogsService), 'query');
      const streams = jest.spyOn(t.app.get(CallLogExportService), 'stream');
      try {
        await new Promise<void>((resolve, reject) => {
          const req = http.get(`${t.url}/api/v1/call-logs/export?format=ndjson`, { headers: auth(c.owner.token, c.id) }, (res) => {
            expect(res.statusCode).toBe(200);
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
        });
        // The export's promise settles once its loop has noticed: it did not read on to the end.
        await streams.mock.results[0].value;
        expect(queries.mock.calls.length).toBeGreaterThan(0);
        expect(queries.mock.calls.length).toBeLessThan(20);
        // And the app is fine afterwards.
        expect((await t.http().get('/api/v1/call-logs/count').set(auth(c.owner.token, c.id))).body).toEqual({ count: 20000, exact: true });
      } finally {
        queries.mockRestore();
        streams.mockRestore();
      }
    });
  });
});

describe('call-log text search with a small scan budget', () => {
  let t: TestApp;
  let tenant: TestTenant;
  const matches: string[] = [];
  let all: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ env: { CALL_LOG_SEARCH_SCAN_ROWS: '10' } });
    tenant = await createTenant(t);
    // 45 rows, newest first i = 0..44; the needle sits in rows 3, 4, 27 and 44.
    for (let i = 0; i < 45; i++) {
      const needle = [3, 4, 27, 44].includes(i);
      const [rowId] = await insert(t, [{ tenantId: tenant.id, secondsAgo: i + 1, arguments: { text: needle ? `a Needle ${i}` : `hay ${i}` } }]);
      if (needle) matches.push(rowId);
    }
    all = (await t.db.query(`SELECT id FROM call_logs WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC`, [tenant.id])).map((r: { id: string }) => r.id);
  });
  afterAll(() => t.close());

  it('answers short (even empty) pages with a cursor after each 10 rows scanned, and finds every match exactly once', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t
        .http()
        .get('/api/v1/call-logs')
        .query({ q: 'needle', limit: 50, ...(cursor ? { cursor } : {}) })
        .set(auth(tenant.owner.token, tenant.id));
      expect(res.status).toBe(200);
      pages.push(res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
      if (pages.length > 10) throw new Error('pagination does not end');
    } while (cursor);
    // Rows 0–9, 10–19, 20–29, 30–39, 40–44.
    expect(pages).toEqual([[matches[0], matches[1]], [], [matches[2]], [], [matches[3]]]);
  });

  it('fills a page before the budget when matches are dense enough, cursor at the last match', async () => {
    const first = await t.http().get('/api/v1/call-logs').query({ q: 'needle', limit: 1 }).set(auth(tenant.owner.token, tenant.id));
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([matches[0]]);
    const second = await t.http().get('/api/v1/call-logs').query({ q: 'needle', limit: 1, cursor: first.body.nextCursor }).set(auth(tenant.owner.token, tenant.id));
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual([matches[1]]);
    // Without q, pages are full as always.
    const plain = await t.http().get('/api/v1/call-logs').query({ limit: 50 }).set(auth(tenant.owner.token, tenant.id));
    expect(plain.body.items.map((i: { id: string }) => i.id)).toEqual(all);
  });

  it('counts q exactly within the budget, and estimates beyond it', async () => {
    const count = await t.http().get('/api/v1/call-logs/count').query({ q: 'needle' }).set(auth(tenant.owner.token, tenant.id));
    // 11 rows sampled (0–10) hold 2 matches; 45 rows in all: 45 × 2 / 11 ≈ 8.
    expect(count.body).toEqual({ count: 8, exact: false });
    // From row 9 on: 10 rows, all sampled.
    const [row9] = await t.db.query(`SELECT (extract(epoch FROM created_at) * 1000)::float8 AS ms FROM call_logs WHERE id = $1`, [all[9]]);
    const from = new Date(Math.floor(row9.ms)).toISOString();
    const narrow = await t.http().get('/api/v1/call-logs/count').query({ q: 'needle', from }).set(auth(tenant.owner.token, tenant.id));
    expect(narrow.body).toEqual({ count: 2, exact: true });
  });

  it('exports every match even though each page scans only 10 rows', async () => {
    const res = await t.http().get('/api/v1/call-logs/export').query({ format: 'ndjson', q: 'NEEDLE' }).set(auth(tenant.owner.token, tenant.id)).buffer(true);
    expect(res.text.trimEnd().split('\n').map((l) => JSON.parse(l).id)).toEqual(matches);
    expect(res.headers['x-toolgate-row-estimate-kind']).toBe('estimate');
  });
});

describe('finding a call by its request id, and the names behind log ids (real PostgreSQL, real gateway)', () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    [a, b] = [await createTenant(t), await createTenant(t)];
  });
  afterAll(() => t.close());

  it('filters list, count and export by the request id the agent sent, within the tenant only', async () => {
    const { group, plaintext } = await createEchoEndpoint(t, a);
    const requestId = `support-ticket-${randomUUID()}`;
    // A real SDK client whose requests all carry the X-Request-Id a support ticket would quote.
    const call = async (rid: string) => {
      const { client } = await sessionClient(t.url!, group.serverCode, plaintext, { 'X-Request-Id': rid });
      await client.callTool({ name: 'echo', arguments: { text: 'find me' } });
      await client.close();
    };
    await call(requestId);
    await call(`other-${randomUUID()}`);

    const res = await t.http().get('/api/v1/call-logs').query({ requestId }).set(auth(a.owner.token, a.id));
    expect(res.status).toBe(200);
    const calls = res.body.items.filter((i: { method: string }) => i.method === 'tools/call');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ requestId, toolName: 'echo', groupId: group.id, outcome: 'ok' });
    expect(res.body.items.every((i: { requestId: string }) => i.requestId === requestId)).toBe(true);
    const count = (await t.http().get('/api/v1/call-logs/count').query({ requestId }).set(auth(a.owner.token, a.id))).body;
    expect(count).toEqual({ count: res.body.items.length, exact: true });
    const ndjson = await t.http().get('/api/v1/call-logs/export').query({ requestId, format: 'ndjson' }).set(auth(a.owner.token, a.id));
    expect(ndjson.text.trim().split('\n').map((line) => JSON.parse(line).requestId)).toEqual(res.body.items.map(() => requestId));
    // Another tenant quoting the same id finds nothing.
    expect((await t.http().get('/api/v1/call-logs').query({ requestId }).set(auth(b.owner.token, b.id))).body.items).toEqual([]);
  });

  it('names groups, keys and tools for auditors, who may not read configuration, and only the tenant’s', async () => {
    const { group, key } = await createEchoEndpoint(t, a);
    const auditor = await addMember(t, a, 'auditor');
    expect((await t.http().get('/api/v1/groups').set(auth(auditor.token, a.id))).status).toBe(403);
    const res = await t.http().get('/api/v1/call-logs/facets').set(auth(auditor.token, a.id));
    expect(res.status).toBe(200);
    expect(res.body.groups).toContainEqual({ id: group.id, name: group.name, serverCode: group.serverCode });
    expect(res.body.keys).toContainEqual({ id: key.id, name: 'agent', prefix: key.prefix, groupId: group.id, revoked: false });
    expect(res.body.tools).toContainEqual(expect.objectContaining({ name: 'echo', status: 'active' }));
    // Names only: nothing of a key's secret or a group's settings.
    expect(JSON.stringify(res.body)).not.toMatch(/hash|rate|allowlist/i);
    const other = await t.http().get('/api/v1/call-logs/facets').set(auth(b.owner.token, b.id));
    expect(other.body.groups.map((g: { id: string }) => g.id)).not.toContain(group.id);
    expect(other.body.keys.map((k: { id: string }) => k.id)).not.toContain(key.id);
  });
});
