import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { ArgumentValidator, MAX_COMPILED_SCHEMAS } from './argument-validator';

const ticketSchema = {
  type: 'object',
  properties: {
    user_id: { type: 'string' },
    title: { type: 'string', minLength: 1 },
    priority: { enum: ['low', 'high'] },
    tags: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
    email: { type: 'string', format: 'email' },
  },
  required: ['title'],
  additionalProperties: false,
};
const ticket = { id: 'tool-1', schemaHash: 'h1', inputSchema: ticketSchema };

describe('ArgumentValidator', () => {
  let v: ArgumentValidator;
  beforeEach(() => {
    v = new ArgumentValidator();
  });
  afterEach(() => jest.restoreAllMocks());

  it('passes valid arguments through as they are', () => {
    const args = { title: 'Printer on fire', user_id: 'u1', tags: [{ name: 'hw' }] };
    const result = v.validate(ticket, args);
    expect(result).toEqual({ ok: true, args });
    expect(result.ok && result.args).toBe(args);
  });

  it('names every failing field in one message', () => {
    const result = v.validate(ticket, { user_id: 42 });
    expect(result).toEqual({
      ok: false,
      message: '"user_id": must be string; missing required "title"',
      errors: [
        { path: 'user_id', message: 'must be string' },
        { path: 'title', message: 'is required' },
      ],
    });
  });

  it('shows nested paths, allowed values and unknown fields', () => {
    const result = v.validate(ticket, { title: 't', priority: 'urgent', tags: [{ name: 'a' }, {}], color: 'red' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toBe('"color": is not an accepted argument; "priority": must be one of "low", "high"; missing required "tags[1].name"');
    expect(result.errors.map((e) => e.path)).toEqual(['color', 'priority', 'tags[1].name']);
  });

  it('checks formats', () => {
    expect(v.validate(ticket, { title: 't', email: 'someone@example.com' }).ok).toBe(true);
    expect(v.validate(ticket, { title: 't', email: 'not an address' })).toMatchObject({ ok: false, message: '"email": must match format "email"' });
  });

  it('reads missing arguments as {}', () => {
    const open = { id: 'tool-open', schemaHash: 'h', inputSchema: { type: 'object' } };
    expect(v.validate(open, undefined)).toEqual({ ok: true, args: {} });
    expect(v.validate(open, null)).toEqual({ ok: true, args: {} });
    expect(v.validate(ticket, undefined)).toMatchObject({ ok: false, message: 'missing required "title"' });
  });

  it('parses arguments sent as a JSON string, and says clearly when that string is not JSON', () => {
    expect(v.validate(ticket, '{"title":"from a string"}')).toEqual({ ok: true, args: { title: 'from a string' } });
    expect(v.validate(ticket, '  ')).toMatchObject({ ok: false, message: 'missing required "title"' });
    const bad = v.validate(ticket, '{"title": ');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/^"arguments" was sent as a string that is not valid JSON \(.+\); send a JSON object\.$/);
    expect(v.validate(ticket, '[1,2]')).toMatchObject({ ok: false, message: '"arguments" must be a JSON object of named arguments, not an array.' });
    const deep = '{"a":'.repeat(200) + '1' + '}'.repeat(200);
    expect(v.validate({ id: 'open', schemaHash: 'h', inputSchema: {} }, deep)).toMatchObject({ ok: false, message: expect.stringMatching(/nested more than/) });
  });

  it('refuses arguments that are not an object', () => {
    for (const [args, kind] of [
      [[1], 'an array'],
      [7, 'number'],
      [true, 'boolean'],
    ] as const) {
      expect(v.validate(ticket, args)).toMatchObject({ ok: false, message: `"arguments" must be a JSON object of named arguments, not ${kind}.` });
    }
  });

  it('compiles a schema once per tool and schema hash, and again when the hash changes', () => {
    const compile = jest.spyOn(Ajv2020.prototype, 'compile');
    for (let i = 0; i < 50; i++) v.validate(ticket, { title: String(i) });
    expect(compile).toHaveBeenCalledTimes(1);
    const changed = { ...ticket, schemaHash: 'h2', inputSchema: { type: 'object', required: ['subject'] } };
    expect(v.validate(changed, { title: 'x' })).toMatchObject({ ok: false, message: 'missing required "subject"' });
    expect(v.validate(changed, { subject: 'x' }).ok).toBe(true);
    expect(compile).toHaveBeenCalledTimes(2);
  });

  it(`keeps at most ${MAX_COMPILED_SCHEMAS} compiled schemas, dropping the least recently used`, () => {
    const compile = jest.spyOn(Ajv2020.prototype, 'compile');
    const tool = (i: number) => ({ id: `t${i}`, schemaHash: 'h', inputSchema: { type: 'object', properties: { [`f${i}`]: { type: 'string' } } } });
    for (let i = 0; i < MAX_COMPILED_SCHEMAS; i++) v.validate(tool(i), {});
    v.validate(tool(0), {}); // t0 is now the most recently used; t1 the least.
    v.validate(tool(MAX_COMPILED_SCHEMAS), {});
    expect(compile).toHaveBeenCalledTimes(MAX_COMPILED_SCHEMAS + 1);
    v.validate(tool(0), {});
    expect(compile).toHaveBeenCalledTimes(MAX_COMPILED_SCHEMAS + 1);
    v.validate(tool(1), {});
    expect(compile).toHaveBeenCalledTimes(MAX_COMPILED_SCHEMAS + 2);
    // Ajv's own schema cache does not keep them either: only its meta-schemas stay.
    const ajvCache = (v as unknown as { ajv2020: { _cache: Map<unknown, unknown> } }).ajv2020._cache;
    expect(ajvCache.size).toBeLessThan(20);
  });

  it("answers a schema that does not compile with a clear refusal, not a crash, and does not retry it per call", () => {
    const compile = jest.spyOn(Ajv2020.prototype, 'compile');
    const broken = { id: 'broken', schemaHash: 'h', inputSchema: { type: 'object', properties: { a: { type: 'no-such-type' } } } };
    for (let i = 0; i < 3; i++) {
      const result = v.validate(broken, { a: 1 });
      expect(result).toMatchObject({ ok: false, errors: [] });
      expect(!result.ok && result.message).toMatch(/^The tool's input schema is invalid, so no call can be checked: /);
    }
    expect(compile).toHaveBeenCalledTimes(1);
    const missingRef = { id: 'ref', schemaHash: 'h', inputSchema: { $ref: 'https://example.com/elsewhere.json' } };
    expect(v.validate(missingRef, {})).toMatchObject({ ok: false, message: expect.stringMatching(/schema is invalid/) });
    const asyncSchema = { id: 'async', schemaHash: 'h', inputSchema: { $async: true, type: 'object' } };
    expect(v.validate(asyncSchema, {})).toMatchObject({ ok: false, message: expect.stringMatching(/schema is invalid.*\$async/) });
  });

  it('lets two tools share a $id, and keeps recursive references working', () => {
    const tree = {
      $id: 'https://tools.example/tree',
      type: 'object',
      properties: { node: { $ref: '#/$defs/node' } },
      $defs: { node: { type: 'object', properties: { value: { type: 'number' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } } } },
    };
    const a = { id: 'a', schemaHash: 'h', inputSchema: tree };
    const b = { id: 'b', schemaHash: 'h', inputSchema: { ...tree, required: ['node'] } };
    expect(v.validate(a, { node: { value: 1, children: [{ value: 2, children: [] }] } }).ok).toBe(true);
    expect(v.validate(b, {})).toMatchObject({ ok: false, message: 'missing required "node"' });
    expect(v.validate(a, { node: { children: [{ value: 'x' }] } })).toMatchObject({ ok: false, message: '"node.children[0].value": must be number' });
  });

  it('reads draft-07 schemas as draft-07 (as zod-to-json-schema writes them)', () => {
    const compile07 = jest.spyOn(Ajv.prototype, 'compile');
    const draft07 = {
      id: 'd7',
      schemaHash: 'h',
      inputSchema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] } },
        required: ['pair'],
      },
    };
    expect(v.validate(draft07, { pair: ['a', 1] }).ok).toBe(true);
    expect(v.validate(draft07, { pair: [1, 'a'] })).toMatchObject({ ok: false, message: '"pair[0]": must be string; "pair[1]": must be number' });
    expect(compile07).toHaveBeenCalled();
    const unknownDialect = { id: 'x', schemaHash: 'h', inputSchema: { $schema: 'https://example.com/my-dialect', type: 'object', required: ['q'] } };
    expect(v.validate(unknownDialect, {})).toMatchObject({ ok: false, message: 'missing required "q"' });
  });

  it('does not change the schema it was given', () => {
    const schema = { $schema: 'https://example.com/my-dialect', type: 'object' };
    const copy = structuredClone(schema);
    v.validate({ id: 's', schemaHash: 'h', inputSchema: schema }, {});
    expect(schema).toEqual(copy);
  });

  it('caps the message: ten problems named, the rest counted', () => {
    const properties = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`f${i}`, { type: 'string' }]));
    const many = { id: 'many', schemaHash: 'h', inputSchema: { type: 'object', properties } };
    const result = v.validate(many, Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`f${i}`, i])));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(15);
    expect(result.message.split('; ')).toHaveLength(11);
    expect(result.message).toMatch(/; and 5 more$/);
  });
});
