import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppException } from '../../common/errors/app-exception';
import { type JsonObject, parseOpenApiDocument } from './openapi-document';
import { listOperations, MAX_TOOL_NAME_LENGTH, operationToTool, toolNamesFor } from './openapi-tools';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const crm = parseOpenApiDocument(fixture('crm-api.openapi-3.0.yaml'), { documentUrl: 'http://127.0.0.1:8080/docs/openapi.yaml' });
const tasks = parseOpenApiDocument(fixture('tasks-api.openapi-3.1.json'));
const crmTool = (id: string) => operationToTool(crm, id, { namespace: 'crm' });
const tasksTool = (id: string) => operationToTool(tasks, id, { namespace: 'tasks' });
const props = (schema: Record<string, unknown>) => Object.keys(schema.properties as JsonObject);

// The options the gateway's argument validator uses, so "valid here" means "accepted by the gateway".
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false, logger: false }));
// And stricter: no keyword ajv does not know may be left in a generated schema.
const strictAjv = addFormats(new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, strictRequired: false, logger: false }));

function validator(schema: Record<string, unknown>) {
  const validate = ajv.compile(schema);
  return (args: unknown) => {
    const ok = validate(args);
    return ok ? 'valid' : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
  };
}

describe('listOperations', () => {
  it('lists every operation with what an admin needs to pick', () => {
    const ops = listOperations(crm);
    expect(ops).toHaveLength(15);
    expect(ops[0]).toEqual({
      operationId: 'listCustomers',
      method: 'GET',
      path: '/customers',
      summary: 'List customers',
      description: 'Customers, newest first, filtered by status and free text.',
      deprecated: false,
      tags: ['customers'],
    });
    expect(ops.find((o) => o.path === '/customers/{customerId}' && o.method === 'PATCH')).toMatchObject({
      operationId: 'patch_customers_customerId',
      deprecated: true,
      summary: "Change a customer's status",
    });
    expect(ops.filter((o) => o.deprecated).map((o) => o.operationId)).toEqual(['searchCustomersLegacy', 'patch_customers_customerId']);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
  });

  it('marks operations whose required body cannot be sent', () => {
    const upload = listOperations(tasks).find((o) => o.operationId === 'uploadAttachment');
    expect(upload?.unsupported).toBe('its request body is multipart/form-data; only JSON and form-urlencoded bodies can be sent.');
    expect(() => tasksTool('uploadAttachment')).toThrow(/POST \/attachments cannot become a tool: its request body is multipart\/form-data/);
  });
});

describe('operationToTool', () => {
  it('names tools <namespace>__<operationId>, sanitized, unique and at most 128 characters', () => {
    const all = [
      ...listOperations(crm).map((o) => crmTool(o.operationId).tool.name),
      ...listOperations(tasks)
        .filter((o) => !o.unsupported)
        .map((o) => tasksTool(o.operationId).tool.name),
    ];
    for (const name of all) expect(name).toMatch(/^[A-Za-z0-9_.-]{1,128}$/);
    expect(new Set(all).size).toBe(all.length);
    expect(crmTool('listCustomers').tool.name).toBe('crm__listCustomers');
    expect(crmTool('get_customers_customerId_notes').tool.name).toBe('crm__get_customers_customerId_notes');
    expect(tasksTool('complete task!').tool.name).toBe('tasks__complete_task_');
    expect(tasksTool('listTasks_2').tool.name).toBe('tasks__listTasks_2');
  });

  it('keeps names unique when sanitizing or shortening makes two operationIds alike', () => {
    const long = 'x'.repeat(150);
    const doc = parseOpenApiDocument(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 't', version: '1' },
        paths: {
          '/a': { get: { operationId: 'get pets', responses: {} }, post: { operationId: 'get_pets', responses: {} } },
          '/b': { get: { operationId: `${long}A`, responses: {} }, post: { operationId: `${long}B`, responses: {} } },
        },
      }),
    );
    const names = toolNamesFor(doc, 'shop');
    expect(names.get('get pets')).toBe('shop__get_pets');
    expect(names.get('get_pets')).toMatch(/^shop__get_pets_[0-9a-f]{8}$/);
    const a = names.get(`${long}A`)!;
    const b = names.get(`${long}B`)!;
    expect(a).toHaveLength(MAX_TOOL_NAME_LENGTH);
    expect(b).toHaveLength(MAX_TOOL_NAME_LENGTH);
    expect(a).not.toBe(b);
    expect(operationToTool(doc, `${long}B`, { namespace: 'shop' }).tool.name).toBe(b);
    expect(toolNamesFor(doc, 'shop')).toBe(names);
  });

  it('describes the tool from summary and description, with a note when deprecated', () => {
    expect(crmTool('listCustomers').tool).toMatchObject({ title: 'List customers', description: 'List customers\n\nCustomers, newest first, filtered by status and free text.' });
    expect(crmTool('searchCustomersLegacy').tool.description).toBe(
      'Search customers (old endpoint)\n\nUse listCustomers with q instead.\n\nDeprecated: the API may remove this operation; prefer another one when there is a choice.',
    );
    const bare = parseOpenApiDocument(JSON.stringify({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths: { '/ping': { head: { responses: {} } } } }));
    expect(operationToTool(bare, 'head_ping', { namespace: 'x' }).tool).toMatchObject({ description: 'HEAD /ping' });
  });

  it('builds the input schema from path, query, header and cookie parameters, and never from credentials', () => {
    const { tool, binding, notes } = crmTool('listCustomers');
    expect(props(tool.inputSchema)).toEqual(['limit', 'status', 'q', 'X-Request-Id']);
    expect(tool.inputSchema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size.' },
        status: { type: 'array', items: { type: 'string', enum: ['lead', 'active', 'churned'] }, description: 'Only customers in one of these statuses.' },
        'X-Request-Id': { type: 'string', format: 'uuid' },
      },
    });
    expect(tool.inputSchema.required).toBeUndefined();
    expect(JSON.stringify(tool.inputSchema)).not.toMatch(/X-API-Key|Authorization/i);
    expect(binding.params.map((p) => `${p.in}:${p.name}`)).toEqual(['query:limit', 'query:status', 'query:q', 'header:X-Request-Id']);
    expect(notes).toEqual([
      `GET /customers: header "X-API-Key" is a credential; it is set from the source's secrets, never by the agent.`,
      `GET /customers: header "Authorization" is a credential; it is set from the source's secrets, never by the agent.`,
    ]);

    const noteList = crmTool('get_customers_customerId_notes');
    expect(props(noteList.tool.inputSchema)).toEqual(['customerId', 'limit', 'locale']);
    expect(noteList.binding.params.find((p) => p.name === 'locale')?.in).toBe('cookie');
    expect(noteList.notes.join()).toContain('cookie "session_id" is a credential');

    const search = tasksTool('get_tasks');
    expect(props(search.tool.inputSchema)).toEqual(['filter', 'page', 'X-Trace']);
    expect(search.notes.join('\n')).toMatch(/query "api_key" is a credential[\s\S]*header "X-Session-Token" is a credential/);
    expect(search.binding.params.find((p) => p.name === 'filter')).toEqual({ name: 'filter', in: 'query', argName: 'filter', style: 'deepObject', explode: true });
  });

  it('leaves out headers the gateway sets and names HTTP cannot carry', () => {
    const header = (name: string) => ({ name, in: 'header', schema: { type: 'string' } });
    const doc = parseOpenApiDocument(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 't', version: '1' },
        paths: { '/x': { get: { parameters: [header('Accept'), header('Content-Type'), header('Host'), header('X-Forwarded-For'), header('Bad Name'), header('X-Ok')], responses: {} } } },
      }),
    );
    const { tool, notes } = operationToTool(doc, 'get_x', { namespace: 'x' });
    expect(props(tool.inputSchema)).toEqual(['X-Ok']);
    expect(notes).toEqual([
      'GET /x: header "Accept" is set by the gateway, not by the agent.',
      'GET /x: header "Content-Type" is set by the gateway, not by the agent.',
      'GET /x: header "Host" is set by the gateway, not by the agent.',
      'GET /x: header "X-Forwarded-For" is set by the gateway, not by the agent.',
      'GET /x: header "Bad Name" is not a valid HTTP header name; it is skipped.',
    ]);
  });

  it('makes path parameters and required ones required, and adds the JSON body', () => {
    const { tool, binding } = crmTool('createCustomer');
    expect(tool.inputSchema.required).toEqual(['Idempotency-Key', 'body']);
    const body = (tool.inputSchema.properties as JsonObject).body as JsonObject;
    expect(body).toMatchObject({ type: 'object', required: ['name', 'email'], description: 'The customer to create.' });
    expect(binding).toMatchObject({ method: 'POST', hasBody: true, bodyContentType: 'application/json' });

    const patch = crmTool('patch_customers_customerId');
    expect(patch.tool.inputSchema.required).toEqual(['customerId', 'body']);
    expect(patch.binding.bodyContentType).toBe('application/merge-patch+json');

    const update = tasksTool('updateTask');
    expect(update.tool.inputSchema.required).toEqual(['taskId']);
  });

  it('prefixes arguments whose names collide across locations', () => {
    const { tool, binding } = crmTool('renameTag');
    expect(props(tool.inputSchema)).toEqual(['path_name', 'query_name']);
    expect(tool.inputSchema.required).toEqual(['path_name', 'query_name']);
    expect(binding.params).toEqual([
      { name: 'name', in: 'path', argName: 'path_name' },
      { name: 'name', in: 'query', argName: 'query_name' },
    ]);
  });

  it('translates 3.0 schemas to JSON Schema 2020-12', () => {
    const body = (crmTool('createCustomer').tool.inputSchema.properties as JsonObject).body as JsonObject;
    const p = body.properties as JsonObject;
    expect(p.phone).toEqual({ type: ['string', 'null'] });
    expect(p.score).toEqual({ type: 'number', exclusiveMinimum: 0, maximum: 100 });
    expect(p.manager).toMatchObject({ anyOf: [{ allOf: [{ type: 'object', required: ['id'] }] }, { type: 'null' }] });
    expect((p.address as JsonObject).properties).toMatchObject({ country: { pattern: '^[A-Z]{2}$', examples: ['FR'] } });
    expect(body.examples).toEqual([{ name: 'Ada Lovelace', email: 'ada@example.com' }]);
    expect(JSON.stringify(crmTool('addNote').tool)).not.toMatch(/nullable|x-audit|"example"/);
  });

  it('leaves read-only properties out of requests and write-only ones out of responses', () => {
    const update = crmTool('updateCustomer').tool;
    // Customer = allOf [NewCustomer, { id (read-only), createdAt (read-only), apiSecret (write-only) }]
    const ownPart = (schema: unknown) => ((schema as JsonObject).allOf as JsonObject[])[1];
    const requestPart = ownPart((update.inputSchema.properties as JsonObject).body);
    expect(requestPart).toEqual({ type: 'object', properties: { apiSecret: { type: 'string', writeOnly: true, description: 'Only ever sent, never returned.' } } });
    const responsePart = ownPart(update.outputSchema);
    expect(props(responsePart)).toEqual(['id', 'createdAt']);
    expect(responsePart.required).toEqual(['id', 'createdAt']);
    expect(((crmTool('addNote').tool.inputSchema.properties as JsonObject).body as JsonObject).required).toEqual(['body']);
  });

  it('gives an output schema only for a 200/201 JSON object response', () => {
    expect(crmTool('getCustomer').tool.outputSchema).toMatchObject({ type: 'object', allOf: [{ type: 'object' }, { type: 'object' }] });
    expect(crmTool('createCustomer').tool.outputSchema).toMatchObject({ type: 'object' });
    expect(crmTool('listCustomers').tool.outputSchema).toMatchObject({ type: 'object', required: ['items'] });
    expect(crmTool('get_customers_customerId_notes').tool.outputSchema).toBeUndefined();
    expect(crmTool('deleteCustomer').tool.outputSchema).toBeUndefined();
    expect(crmTool('downloadFile').tool.outputSchema).toBeUndefined();
    expect(tasksTool('complete task!').tool.outputSchema).toBeUndefined();
  });

  it('annotates by method', () => {
    const annotationsOf = (id: string) => crmTool(id).tool.annotations;
    expect(annotationsOf('listCustomers')).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    expect(annotationsOf('createCustomer')).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    expect(annotationsOf('updateCustomer')).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    expect(annotationsOf('deleteCustomer')).toEqual({ readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true });
    expect(annotationsOf('patch_customers_customerId')).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    const misc = parseOpenApiDocument(
      JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/x': { head: { responses: {} }, options: { responses: {} } } } }),
    );
    for (const id of ['head_x', 'options_x']) expect(operationToTool(misc, id, { namespace: 'm' }).tool.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
  });

  it('cuts recursive schemas and says so', () => {
    const { tool, notes } = crmTool('createCategory');
    const body = (tool.inputSchema.properties as JsonObject).body as JsonObject;
    const child = ((body.properties as JsonObject).children as JsonObject).items as JsonObject;
    expect(((child.properties as JsonObject).children as JsonObject).items).toEqual({});
    expect(notes).toContain('POST /categories: a recursive schema is cut off after 2 levels; deeper parts accept any value.');
  });

  it('resolves the server: relative to the document URL, variables defaulted, baseUrl overriding', () => {
    expect(crmTool('getCustomer').binding.serverUrl).toBe('http://127.0.0.1:8080/api/v1');
    expect(operationToTool(parseOpenApiDocument(fixture('crm-api.openapi-3.0.yaml')), 'getCustomer', { namespace: 'crm' }).binding.serverUrl).toBe('/api/v1');
    expect(operationToTool(crm, 'getCustomer', { namespace: 'crm', baseUrl: 'https://crm.example.com/v9/' }).binding.serverUrl).toBe('https://crm.example.com/v9');
    expect(tasksTool('getTask').binding).toEqual({
      method: 'GET',
      pathTemplate: '/tasks/{taskId}',
      serverUrl: 'https://eu.tasks.example.com/v2',
      params: [{ name: 'taskId', in: 'path', argName: 'taskId' }],
      hasBody: false,
      bodyContentType: null,
    });
  });

  it('takes an undeclared path placeholder as a required string, and says so', () => {
    const doc = parseOpenApiDocument(JSON.stringify({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths: { '/orders/{orderId}': { get: { operationId: 'getOrder', responses: {} } } } }));
    const { tool, binding, notes } = operationToTool(doc, 'getOrder', { namespace: 'shop' });
    expect(tool.inputSchema).toEqual({ type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'], additionalProperties: false });
    expect(binding.params).toEqual([{ name: 'orderId', in: 'path', argName: 'orderId' }]);
    expect(notes).toEqual(['GET /orders/{orderId}: path parameter "orderId" is not declared; it is taken as a required string.']);
  });

  it('refuses an unknown operation', () => {
    try {
      crmTool('nope');
      throw new Error('expected NOT_FOUND');
    } catch (err) {
      expect(err).toBeInstanceOf(AppException);
      expect((err as AppException).code).toBe('NOT_FOUND');
    }
  });

  it('refuses an operation whose schema inlines into something enormous', () => {
    const schemas: JsonObject = { L30: { type: 'string' } };
    for (let i = 0; i < 30; i++) schemas[`L${i}`] = { type: 'object', properties: { a: { $ref: `#/components/schemas/L${i + 1}` }, b: { $ref: `#/components/schemas/L${i + 1}` } } };
    const doc = parseOpenApiDocument(
      JSON.stringify({
        openapi: '3.0.3',
        info: { title: 't', version: '1' },
        paths: { '/a': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/L0' } } } }, responses: {} } } },
        components: { schemas },
      }),
    );
    expect(() => operationToTool(doc, 'post_a', { namespace: 'x' })).toThrow('POST /a cannot become a tool: its schemas have more than 20,000 parts once $refs are inlined.');
  });
});

describe('generated input schemas under ajv 2020', () => {
  it('compile, strictly, for every operation of both fixtures', () => {
    for (const [doc, ns] of [
      [crm, 'crm'],
      [tasks, 'tasks'],
    ] as const) {
      for (const { operationId, unsupported } of listOperations(doc)) {
        if (unsupported) continue;
        const { tool } = operationToTool(doc, operationId, { namespace: ns });
        expect(() => strictAjv.compile(tool.inputSchema)).not.toThrow();
        if (tool.outputSchema) expect(() => strictAjv.compile(tool.outputSchema!)).not.toThrow();
      }
    }
  });

  it('accept good arguments and refuse bad ones (listCustomers)', () => {
    const check = validator(crmTool('listCustomers').tool.inputSchema);
    expect(check({})).toBe('valid');
    expect(check({ limit: 10, status: ['lead', 'active'], q: 'ada', 'X-Request-Id': '0b6c3c6e-1f4f-4a58-9d7c-5b0b7e6f1a2b' })).toBe('valid');
    expect(check({ limit: 0 })).toMatch(/\/limit must be >= 1/);
    expect(check({ status: ['gone'] })).toMatch(/\/status\/0 must be equal to one of the allowed values/);
    expect(check({ 'X-Request-Id': 'not-a-uuid' })).toMatch(/must match format "uuid"/);
    expect(check({ 'X-API-Key': 'sk_live_1' })).toMatch(/must NOT have additional properties/);
    expect(check({ Authorization: 'Bearer x' })).toMatch(/must NOT have additional properties/);
  });

  it('accept good arguments and refuse bad ones (createCustomer)', () => {
    const check = validator(crmTool('createCustomer').tool.inputSchema);
    const body = { name: 'Ada', email: 'ada@example.com', phone: null, score: 5, manager: null, address: { country: 'FR' }, tags: ['vip'] };
    expect(check({ 'Idempotency-Key': 'key-00001', body })).toBe('valid');
    expect(check({ 'Idempotency-Key': 'key-00001', body: { ...body, manager: { id: 'u1' } } })).toBe('valid');
    expect(check({ body })).toMatch(/must have required property 'Idempotency-Key'/);
    expect(check({ 'Idempotency-Key': 'key-00001' })).toMatch(/must have required property 'body'/);
    expect(check({ 'Idempotency-Key': 'key-00001', body: { ...body, score: 0 } })).toMatch(/\/body\/score must be > 0/);
    expect(check({ 'Idempotency-Key': 'key-00001', body: { ...body, address: { country: 'France' } } })).toMatch(/\/body\/address\/country must match pattern/);
    expect(check({ 'Idempotency-Key': 'key-00001', body: { ...body, email: 'ada' } })).toMatch(/\/body\/email must match format "email"/);
    expect(check({ 'Idempotency-Key': 'key-00001', body: { ...body, manager: { name: 'no id' } } })).toMatch(/must have required property 'id'/);
  });

  it('accept good arguments and refuse bad ones (update, rename, recursive create)', () => {
    const update = validator(crmTool('updateCustomer').tool.inputSchema);
    expect(update({ customerId: 'c1', body: { name: 'Ada', email: 'ada@example.com' } })).toBe('valid');
    expect(update({ customerId: '', body: { name: 'Ada', email: 'ada@example.com' } })).toMatch(/\/customerId must NOT have fewer than 1 characters/);

    const rename = validator(crmTool('renameTag').tool.inputSchema);
    expect(rename({ path_name: 'vip', query_name: 'gold' })).toBe('valid');
    expect(rename({ name: 'vip' })).toMatch(/required property 'path_name'/);

    const category = validator(crmTool('createCategory').tool.inputSchema);
    expect(category({ body: { name: 'root', children: [{ name: 'a', children: [{ anything: true }, 42] }] } })).toBe('valid');
    expect(category({ body: { name: 'root', children: [{ children: [] }] } })).toMatch(/\/body\/children\/0 must have required property 'name'/);
  });

  it('accept good arguments and refuse bad ones (3.1 tasks)', () => {
    const create = validator(tasksTool('createTask').tool.inputSchema);
    const body = { title: 'Call back', dueDate: null, priority: 'high', estimateHours: 1.5, assignee: { id: 'u1', name: 'Ada' }, subtasks: [{ title: 'Dial' }] };
    expect(create({ body })).toBe('valid');
    expect(create({ body: { ...body, dueDate: '2025-02-30x' } })).toMatch(/\/body\/dueDate must match format "date"/);
    expect(create({ body: { ...body, estimateHours: 0 } })).toMatch(/\/body\/estimateHours must be > 0/);
    expect(create({ body: { ...body, priority: 'urgent' } })).toMatch(/\/body\/priority must be equal to one of the allowed values/);
    expect(create({ body: { ...body, assignee: { id: 'u1' } } })).toMatch(/\/body\/assignee must have required property 'name'/);

    const search = validator(tasksTool('get_tasks').tool.inputSchema);
    expect(search({ filter: { priority: 'low', assignee: 'u1' }, page: 2 })).toBe('valid');
    expect(search({ filter: { colour: 'red' } })).toMatch(/\/filter must NOT have additional properties/);
    expect(search({ api_key: 'k' })).toMatch(/must NOT have additional properties/);
  });
});
