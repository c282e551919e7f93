import { retentionCutoff } from './call-log-retention.service';

describe('retentionCutoff', () => {
  it('is the start (UTC) of the month N months before the current one', () => {
    expect(retentionCutoff(new Date('2026-11-21T15:00:00Z'), 3).toISOString()).toBe('2026-08-01T00:00:00.000Z');
    expect(retentionCutoff(new Date('2026-11-01T00:00:00Z'), 1).toISOString()).toBe('2026-10-01T00:00:00.000Z');
  });

  it('crosses years and reads the month in UTC, not local time', () => {
    expect(retentionCutoff(new Date('2027-02-10T00:00:00Z'), 3).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(retentionCutoff(new Date('2026-12-31T23:30:00-05:00'), 12).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
