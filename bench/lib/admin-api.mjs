// The admin REST API calls the benchmark's setup makes (Bearer token + X-Tenant-Id).
export class AdminApi {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.token = null;
  }

  async request(method, path, { body, tenantId, expect = [200, 201] } = {}) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (tenantId) headers['x-tenant-id'] = tenantId;
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  }

  async login(email, password) {
    const { token } = await this.request('POST', '/api/v1/auth/login', { body: { email, password } });
    if (!token) throw new Error('login returned no token');
    this.token = token;
  }

  createTenant(slug, name) {
    return this.request('POST', '/api/v1/tenants', { body: { slug, name } });
  }

  async builtinSourceId(tenantId) {
    const { items } = await this.request('GET', '/api/v1/sources', { tenantId });
    const builtin = items.find((s) => s.kind === 'builtin');
    if (!builtin) throw new Error('the tenant has no builtin source');
    return builtin.id;
  }

  async toolByName(tenantId, name) {
    const { items } = await this.request('GET', '/api/v1/tools', { tenantId });
    const tool = items.find((t) => t.name === name);
    if (!tool) throw new Error(`the tenant has no tool "${name}"`);
    return tool;
  }

  /** A group without rate limits (the default), so the load is never refused. */
  createGroup(tenantId, serverCode, name) {
    return this.request('POST', '/api/v1/groups', { tenantId, body: { name, serverCode } });
  }

  assignTool(tenantId, groupId, toolId) {
    return this.request('PUT', `/api/v1/groups/${groupId}/tools/${toolId}`, { tenantId, body: {} });
  }

  /** Resolves to the plaintext key (shown once). */
  async createKey(tenantId, groupId, name) {
    const { plaintext } = await this.request('POST', `/api/v1/groups/${groupId}/keys`, { tenantId, body: { name } });
    return plaintext;
  }

  /** GET /api/v1/call-logs with filters; resolves to { items, nextCursor, ms }. */
  async callLogs(tenantId, query) {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null));
    const started = performance.now();
    const page = await this.request('GET', `/api/v1/call-logs?${params}`, { tenantId, expect: [200] });
    return { ...page, ms: performance.now() - started };
  }
}
