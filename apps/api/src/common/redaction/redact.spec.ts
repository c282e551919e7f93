import { redact, REDACTED } from './redact';

describe('redact', () => {
  it('masks secret-looking keys at any depth and leaves the input untouched', () => {
    const input = { user: 'amy', password: 'p', nested: { apiKey: 'k', list: [{ token: 't', ok: 1 }] }, Authorization: 'Bearer x' };
    const out = redact(input) as typeof input;
    expect(out).toEqual({
      user: 'amy',
      password: REDACTED,
      nested: { apiKey: REDACTED, list: [{ token: REDACTED, ok: 1 }] },
      Authorization: REDACTED,
    });
    expect(input.password).toBe('p');
  });

  it('masks explicit paths, with * for any key or index', () => {
    const out = redact({ customer: { phone: '123', name: 'x' }, rows: [{ ssn: '1' }, { ssn: '2' }] }, ['customer.phone', 'rows.*.ssn']);
    expect(out).toEqual({ customer: { phone: REDACTED, name: 'x' }, rows: [{ ssn: REDACTED }, { ssn: REDACTED }] });
  });

  it('keeps null secrets as null so "not set" stays visible', () => {
    expect(redact({ password: null })).toEqual({ password: null });
  });
});

describe('redact exemptions', () => {
  it("keeps a source's secret names and tool schemas, which only look secret by name", () => {
    const input = { secretNames: ['Authorization'], inputSchema: { properties: { token: { type: 'string' } } }, secrets: { Authorization: 'x' } };
    expect(redact(input)).toEqual({ secretNames: ['Authorization'], inputSchema: { properties: { token: { type: 'string' } } }, secrets: REDACTED });
  });
});
