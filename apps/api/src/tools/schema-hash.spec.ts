import { canonicalJson, schemaHash } from './schema-hash';

const face = { name: 't', title: null, description: 'd', inputSchema: { type: 'object', properties: { a: { type: 'string' } } }, outputSchema: null, annotations: {} };

describe('schemaHash', () => {
  it('ignores key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(schemaHash(face)).toBe(schemaHash({ ...face, inputSchema: { properties: { a: { type: 'string' } }, type: 'object' } }));
  });

  it('changes when the schema or description changes', () => {
    expect(schemaHash(face)).not.toBe(schemaHash({ ...face, description: 'other' }));
    expect(schemaHash(face)).not.toBe(schemaHash({ ...face, inputSchema: { type: 'object', properties: { a: { type: 'number' } } } }));
  });
});

describe('canonicalJson depth', () => {
  it('refuses absurdly deep documents instead of overflowing the stack', () => {
    let deep: unknown = {};
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(() => canonicalJson(deep)).toThrow(/deeper than/);
  });
});
