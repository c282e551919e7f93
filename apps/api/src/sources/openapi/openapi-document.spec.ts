import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppException } from '../../common/errors/app-exception';
import { isRecursionPlaceholder, MAX_DOCUMENT_BYTES, MAX_OPERATIONS, type JsonObject, type OpenApiDocument, parseOpenApiDocument } from './openapi-document';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const crmYaml = fixture('crm-api.openapi-3.0.yaml');
const tasksJson = fixture('tasks-api.openapi-3.1.json');

const op = (doc: OpenApiDocument, id: string) => {
  const found = doc.operations.find((o) => o.operationId === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
};
const jsonBodySchema = (operation: JsonObject) => ((((operation.requestBody as JsonObject).content as JsonObject)['application/json'] as JsonObject).schema as JsonObject);
const responseSchema = (operation: JsonObject, status: string) =>
  ((((operation.responses as JsonObject)[status] as JsonObject).content as JsonObject)['application/json'] as JsonObject).schema as JsonObject;

/** Runs `fn`, expecting a VALIDATION_FAILED (or the given code) AppException, and returns its message. */
function refusal(fn: () => unknown, code = 'VALIDATION_FAILED'): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppException);
    expect((err as AppException).code).toBe(code);
    return (err as AppException).message;
  }
  throw new Error('expected a refusal');
}

const minimal = (extra: JsonObject = {}) => JSON.stringify({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {}, ...extra });

describe('parseOpenApiDocument', () => {
  describe('the 3.0 YAML fixture', () => {
    const doc = parseOpenApiDocument(crmYaml, { documentUrl: 'http://127.0.0.1:8080/docs/openapi.yaml' });

    it('reads version, info, servers and every operation in document order', () => {
      expect(doc.openapi).toBe('3.0.3');
      expect(doc.specVersion).toBe('3.0');
      expect(doc.info).toEqual({ title: 'Acme CRM', version: '1.4.0', description: 'Customers, their notes and tags, and a category tree.' });
      expect(doc.servers).toEqual([{ url: '/api/v1', description: 'Relative to wherever this document is served from.' }]);
      expect(doc.documentUrl).toBe('http://127.0.0.1:8080/docs/openapi.yaml');
      expect(doc.operations.map((o) => `${o.method} ${o.path}`)).toEqual([
        'GET /customers',
        'POST /customers',
        'GET /customers/search',
        'GET /customers/{customerId}',
        'PUT /customers/{customerId}',
        'DELETE /customers/{customerId}',
        'PATCH /customers/{customerId}',
        'GET /customers/{customerId}/notes',
        'POST /customers/{customerId}/notes',
        'GET /customers/{customerId}/history',
        'PUT /tags/{name}',
        'GET /categories',
        'POST /categories',
        'GET /files/{fileId}',
        'GET /admin/stats',
      ]);
    });

    it('synthesizes <method>_<path slug> operationIds where the document has none', () => {
      expect(op(doc, 'patch_customers_customerId')).toMatchObject({ method: 'PATCH', operationIdSynthesized: true });
      expect(op(doc, 'get_customers_customerId_notes')).toMatchObject({ method: 'GET', operationIdSynthesized: true });
      expect(op(doc, 'listCustomers').operationIdSynthesized).toBe(false);
    });

    it('resolves $refs to parameters, request bodies, responses and schemas', () => {
      const list = op(doc, 'listCustomers');
      expect((list.operation.parameters as JsonObject[])[0]).toMatchObject({ name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } });
      expect(((list.operation.responses as JsonObject)['401'] as JsonObject).description).toBe('Missing or wrong key.');
      expect((list.pathItem.get as JsonObject).operationId).toBe('listCustomers');

      const create = op(doc, 'createCustomer');
      expect((create.operation.requestBody as JsonObject).required).toBe(true);
      expect(jsonBodySchema(create.operation)).toMatchObject({ required: ['name', 'email'], properties: { status: { enum: ['lead', 'active', 'churned'] } } });

      const get = op(doc, 'getCustomer');
      expect((get.pathItem.parameters as JsonObject[])[0]).toMatchObject({ name: 'customerId', in: 'path', required: true });
      expect(JSON.stringify(doc.operations)).not.toContain('$ref');
    });

    it('cuts a recursive schema to {} after the depth limit, with a note', () => {
      const category = jsonBodySchema(op(doc, 'createCategory').operation);
      const level2 = ((category.properties as JsonObject).children as JsonObject).items as JsonObject;
      expect(level2.properties).toHaveProperty('name');
      const level3 = ((level2.properties as JsonObject).children as JsonObject).items;
      expect(level3).toEqual({});
      expect(isRecursionPlaceholder(level3)).toBe(true);
      expect(doc.notes).toContain('#/components/schemas/Category is recursive: nested more than 2 levels deep it accepts any value ({}).');
    });

    it('keeps schema data (examples, extensions) as written and never treats a property name as a keyword', () => {
      const note = responseSchema(op(doc, 'addNote').operation, '201');
      expect(note['x-audit']).toBe(true);
      expect(Object.keys(note.properties as JsonObject)).toEqual(['id', 'body', 'pinned', 'x-internal']);
    });

    it('reads the same document as JSON', () => {
      const asJson = parseOpenApiDocument(JSON.stringify(parseYaml(crmYaml)));
      expect(asJson.operations.map((o) => o.operationId)).toEqual(doc.operations.map((o) => o.operationId));
      expect(jsonBodySchema(op(asJson, 'createCustomer').operation)).toEqual(jsonBodySchema(op(doc, 'createCustomer').operation));
    });
  });

  describe('the 3.1 JSON fixture', () => {
    const doc = parseOpenApiDocument(tasksJson);

    it('reads 3.1, path items given by $ref, and ignores webhooks', () => {
      expect(doc.specVersion).toBe('3.1');
      expect(doc.operations.map((o) => o.operationId)).toEqual(['get_tasks', 'createTask', 'getTask', 'updateTask', 'complete task!', 'listTasks', 'listTasks_2', 'uploadAttachment']);
      expect(op(doc, 'getTask')).toMatchObject({ method: 'GET', path: '/tasks/{taskId}' });
      expect((op(doc, 'getTask').pathItem.parameters as JsonObject[])[0]).toMatchObject({ name: 'taskId', schema: { type: 'integer' } });
    });

    it('renames a repeated operationId and says so', () => {
      expect(op(doc, 'listTasks_2').path).toBe('/teams/{teamId}/tasks');
      expect(doc.notes).toContain('GET /teams/{teamId}/tasks repeats operationId "listTasks"; it is imported as "listTasks_2".');
    });

    it('applies 3.1 siblings of $ref: annotations override, other keywords are combined with allOf', () => {
      const task = responseSchema(op(doc, 'getTask').operation, '200');
      const props = task.properties as JsonObject;
      expect(props.priority).toEqual({ type: 'string', enum: ['low', 'normal', 'high'], description: 'Defaults to normal.' });
      expect(props.assignee).toMatchObject({ allOf: [{ type: 'object', required: ['id'] }], required: ['id', 'name'] });
    });
  });

  describe('refuses what it cannot import, clearly', () => {
    it('documents that are not OpenAPI 3.0 or 3.1', () => {
      expect(refusal(() => parseOpenApiDocument(JSON.stringify({ swagger: '2.0', info: {}, paths: {} })))).toMatch(/^not an OpenAPI 3 document: it is Swagger 2.0/);
      expect(refusal(() => parseOpenApiDocument('title: hello\nitems: [1, 2]\n'))).toMatch(/^not an OpenAPI 3 document/);
      expect(refusal(() => parseOpenApiDocument(minimal({ openapi: '3.2.0' })))).toMatch(/^not an OpenAPI 3 document: "openapi" is "3.2.0"/);
      expect(refusal(() => parseOpenApiDocument('openapi: 3.0\ninfo: {}\n'))).toMatch(/^not an OpenAPI 3 document/);
      expect(refusal(() => parseOpenApiDocument('- openapi: 3.0.0\n'))).toMatch(/^not an OpenAPI 3 document/);
      expect(refusal(() => parseOpenApiDocument('   '))).toMatch(/^not an OpenAPI 3 document/);
    });

    it('text that is neither JSON nor YAML', () => {
      expect(refusal(() => parseOpenApiDocument('{"openapi": "3.0.0",'))).toMatch(/neither valid JSON nor valid YAML/);
      expect(refusal(() => parseOpenApiDocument('openapi: 3.0.0\nopenapi: 3.1.0\n'))).toMatch(/neither valid JSON nor valid YAML: Map keys must be unique/);
    });

    it('remote and relative-file $refs', () => {
      const withRef = (ref: string) =>
        minimal({ paths: { '/a': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: ref } } } } } } } } });
      expect(refusal(() => parseOpenApiDocument(withRef('https://example.com/schemas.yaml#/Pet')))).toMatch(
        /\$ref "https:\/\/example.com\/schemas.yaml#\/Pet" at #\/paths\/~1a\/get\/responses\/200\/content\/application~1json\/schema points outside the document/,
      );
      expect(refusal(() => parseOpenApiDocument(withRef('./common.yaml#/components/schemas/Pet')))).toMatch(/points outside the document; only local references/);
      expect(refusal(() => parseOpenApiDocument(withRef('#/components/schemas/Nope')))).toMatch(/\$ref "#\/components\/schemas\/Nope" .* points to nothing/);
      expect(refusal(() => parseOpenApiDocument(withRef('#Pet')))).toMatch(/not a JSON pointer/);
    });

    it('documents over the size limit', () => {
      expect(MAX_DOCUMENT_BYTES).toBe(5 * 1024 * 1024);
      const padded = `${minimal().slice(0, -1)}, "x-padding": "${'a'.repeat(MAX_DOCUMENT_BYTES)}"}`;
      expect(refusal(() => parseOpenApiDocument(padded), 'PAYLOAD_TOO_LARGE')).toBe('The OpenAPI document is larger than 5 MB.');
    });

    it('documents with too many operations', () => {
      const paths: JsonObject = {};
      for (let i = 0; i < MAX_OPERATIONS / 2 + 1; i++) paths[`/items${i}`] = { get: { responses: {} }, delete: { responses: {} } };
      expect(refusal(() => parseOpenApiDocument(minimal({ paths })))).toBe(`The OpenAPI document has more than ${MAX_OPERATIONS} operations; import a smaller document.`);
      delete paths[`/items${MAX_OPERATIONS / 2}`];
      expect(parseOpenApiDocument(minimal({ paths })).operations).toHaveLength(MAX_OPERATIONS);
    });

    it('absurd nesting and YAML alias bombs', () => {
      let deep: unknown = { type: 'string' };
      for (let i = 0; i < 200; i++) deep = { items: deep };
      expect(refusal(() => parseOpenApiDocument(minimal({ components: { schemas: { Deep: deep } } })))).toMatch(/nested more than 100 levels/);

      const bomb = ['openapi: 3.0.0', 'info: {title: t, version: "1"}', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
      for (let i = 0; i < 9; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
      expect(refusal(() => parseOpenApiDocument(bomb.join('\n')))).toMatch(/neither valid JSON nor valid YAML/);
    });
  });

  it('terminates on mutually recursive schemas and shares what is not recursive', () => {
    const doc = parseOpenApiDocument(
      minimal({
        paths: { '/a': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } } }, responses: {} } } },
        components: {
          schemas: {
            A: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' }, s1: { $ref: '#/components/schemas/Shared' }, s2: { $ref: '#/components/schemas/Shared' } } },
            B: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' } } },
            Shared: { type: 'object', properties: { n: { type: 'integer' } } },
            Self: { $ref: '#/components/schemas/Self' },
          },
        },
      }),
    );
    const a = jsonBodySchema(doc.operations[0].operation);
    const props = a.properties as JsonObject;
    expect(props.s1).toBe(props.s2);
    expect(JSON.stringify(a)).toContain('"a":{}');
    expect(doc.notes.some((n) => n.startsWith('#/components/schemas/A is recursive'))).toBe(true);
  });

  it('resolves an exponential $ref fan-out without expanding it', () => {
    const schemas: JsonObject = { L30: { type: 'string' } };
    for (let i = 0; i < 30; i++) schemas[`L${i}`] = { type: 'object', properties: { a: { $ref: `#/components/schemas/L${i + 1}` }, b: { $ref: `#/components/schemas/L${i + 1}` } } };
    const started = Date.now();
    const doc = parseOpenApiDocument(
      minimal({
        paths: { '/a': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/L0' } } } }, responses: {} } } },
        components: { schemas },
      }),
    );
    expect(doc.operations).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never lets a "__proto__" key reach an object prototype', () => {
    const doc = parseOpenApiDocument(
      'openapi: 3.0.0\ninfo: {title: t, version: "1"}\npaths:\n  /a:\n    get:\n      __proto__: {polluted: true}\n      responses: {}\n',
    );
    expect(({} as JsonObject).polluted).toBeUndefined();
    expect((doc.operations[0].operation as JsonObject).polluted).toBeUndefined();
  });
});
