// The catalog cache's bookkeeping, with the query stubbed (what the query returns is covered by the gateway specs).
import type { DataSource } from 'typeorm';
import { DomainEvents } from '../../common/events/domain-events';
import type { AppConfigService } from '../../config/app-config.service';
import { GroupCatalogService } from './group-catalog.service';

const TTL_MS = 1000;

function row(name: string) {
  return {
    id: `id-${name}`,
    name,
    title: null,
    description: `the ${name} tool`,
    input_schema: { type: 'object' },
    output_schema: null,
    annotations: {},
    schema_hash: `hash-${name}`,
    timeout_seconds: 30,
    config_data: {},
    redaction_paths: [],
    source_id: 'source',
    source_kind: 'builtin',
    source_max_concurrent: null,
    upstream_name: name,
    binding: null,
    alias: null,
    description_override: null,
    timeout_override: null,
  };
}

function setup() {
  /** Each query waits until the test answers it, with the tool names the group holds then. */
  const pending: { resolve(names: string[]): void; reject(err: Error): void }[] = [];
  const query = jest.fn(
    () =>
      new Promise((resolve, reject) => {
        pending.push({ resolve: (names) => resolve(names.map(row)), reject });
      }),
  );
  const events = new DomainEvents();
  const service = new GroupCatalogService({ query } as unknown as DataSource, { env: { MCP_AUTH_CACHE_MS: TTL_MS } } as AppConfigService, events);
  const answer = async (names: string[]) => {
    pending.shift()!.resolve(names);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { service, query, events, answer, pending };
}

describe('GroupCatalogService', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('shares one query among the calls that arrive while it runs, then serves from the cache', async () => {
    const { service, query, answer } = setup();
    const first = service.get('g');
    const second = service.get('g');
    expect(query).toHaveBeenCalledTimes(1);
    await answer(['echo']);
    expect((await first).tools.map((t) => t.name)).toEqual(['echo']);
    expect(await second).toBe(await first);

    jest.advanceTimersByTime(TTL_MS / 2);
    expect(await service.get('g')).toBe(await first);
    expect(query).toHaveBeenCalledTimes(1);
  });

  it('reloads a catalog in use ahead of its expiry, without making any call wait', async () => {
    const { service, query, answer } = setup();
    const loading = service.get('g');
    await answer(['echo']);
    const old = await loading;

    jest.advanceTimersByTime(TTL_MS * 0.8);
    // In the last quarter: the cached catalog at once, and one reload behind it.
    expect(await service.get('g')).toBe(old);
    expect(await service.get('g')).toBe(old);
    expect(query).toHaveBeenCalledTimes(2);

    await answer(['echo', 'lookup']);
    jest.advanceTimersByTime(TTL_MS * 0.5); // past the old entry's expiry, within the new one's
    const fresh = await service.get('g');
    expect(fresh.tools.map((t) => t.name)).toEqual(['echo', 'lookup']);
    expect(query).toHaveBeenCalledTimes(2);
  });

  it('waits for the database once a catalog has expired unused', async () => {
    const { service, query, answer } = setup();
    const loading = service.get('g');
    await answer(['echo']);
    await loading;

    jest.advanceTimersByTime(TTL_MS + 1);
    let settled = false;
    const next = service.get('g').then((c) => {
      settled = true;
      return c;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(query).toHaveBeenCalledTimes(2);
    await answer(['lookup']);
    expect((await next).tools.map((t) => t.name)).toEqual(['lookup']);
  });

  it('never caches a load that began before a change: the next call queries again', async () => {
    const { service, query, events, answer } = setup();
    const before = service.get('g');
    events.emit('catalog.changed', { tenantId: 't', groupIds: ['g'] });
    // A call after the change does not join the load that began before it.
    const after = service.get('g');
    expect(query).toHaveBeenCalledTimes(2);

    await answer(['echo']); // the old answer, to the old load
    await answer(['echo', 'lookup']);
    expect((await before).tools.map((t) => t.name)).toEqual(['echo']);
    expect((await after).tools.map((t) => t.name)).toEqual(['echo', 'lookup']);
    expect((await service.get('g')).tools.map((t) => t.name)).toEqual(['echo', 'lookup']);
    expect(query).toHaveBeenCalledTimes(2);
  });

  it('drops a background reload that a change overtook', async () => {
    const { service, query, events, answer } = setup();
    const loading = service.get('g');
    await answer(['echo']);
    await loading;
    jest.advanceTimersByTime(TTL_MS * 0.9);
    await service.get('g'); // starts the reload ahead
    expect(query).toHaveBeenCalledTimes(2);

    events.emit('group.changed', { groupId: 'g' });
    await answer(['echo']); // the reload's answer, from before the change
    const next = service.get('g');
    expect(query).toHaveBeenCalledTimes(3);
    await answer([]);
    expect((await next).tools).toEqual([]);
  });

  it('serves the cached catalog while the database is unreachable, and says so', async () => {
    const { service, pending, answer } = setup();
    const loading = service.get('g');
    await answer(['echo']);
    const old = await loading;

    jest.advanceTimersByTime(TTL_MS + 1);
    const during = service.get('g');
    pending.shift()!.reject(new Error('connection refused'));
    expect(await during).toBe(old);
  });

  it('keeps the cached catalog when a reload ahead fails', async () => {
    const { service, pending, query } = setup();
    const loading = service.get('g');
    pending.shift()!.resolve(['echo']);
    const old = await loading;
    jest.advanceTimersByTime(TTL_MS * 0.8);
    expect(await service.get('g')).toBe(old);
    pending.shift()!.reject(new Error('connection refused'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await service.get('g')).toBe(old);
    // The next call in the last quarter tries again.
    expect(query).toHaveBeenCalledTimes(3);
  });
});
