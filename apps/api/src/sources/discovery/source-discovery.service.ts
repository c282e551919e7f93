// Discovery: lists a source's tools at the upstream and applies the result to the catalog. Runs when a source is
// created, on demand, on a schedule (SourceRefreshScheduler) and when an upstream says its tool list changed.
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { RefreshResult } from '@toolgate/contracts';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../../common/events/domain-events';
import { AppException } from '../../common/errors/app-exception';
import { SourceResolver } from '../source-resolver';
import { UpstreamClientPool } from '../upstream/upstream-client-pool';
import { UpstreamError } from '../upstream/upstream.types';
import { reconcileTools } from './tool-reconciler';
import { UpstreamCatalog } from './upstream-catalog';

export type RefreshTrigger = 'create' | 'manual' | 'schedule' | 'list_changed' | 'update';

/** An admin waits for create, update and manual refresh: a silent upstream gets a clear error within this. */
const INTERACTIVE_LIST_MS = 20_000;
const BACKGROUND_LIST_MS = 60_000;
/** list_changed notifications often come in bursts: one refresh per source per this long. */
const LIST_CHANGED_DEBOUNCE_MS = 250;

@Injectable()
export class SourceDiscoveryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SourceDiscoveryService.name);
  /**
   * One refresh per source at a time on this replica (the row lock serializes replicas); a request that arrives while
   * one runs gets one more refresh after it, shared by every request meanwhile.
   */
  private readonly queue = new Map<string, { running: Promise<RefreshResult>; next: Promise<RefreshResult> | null }>();
  private readonly debounce = new Map<string, NodeJS.Timeout>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly resolver: SourceResolver,
    private readonly catalog: UpstreamCatalog,
    private readonly pool: UpstreamClientPool,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.pool.onToolsChanged((sourceId) => this.onUpstreamListChanged(sourceId));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.debounce.forEach((t) => clearTimeout(t));
  }

  /**
   * Lists the source's tools and applies them to the catalog. An unreachable or failing upstream marks the source
   * `error` with the reason and throws SOURCE_UNAVAILABLE; the catalog is left as it was.
   */
  refresh(tenantId: string, sourceId: string, trigger: RefreshTrigger): Promise<RefreshResult> {
    const queued = this.queue.get(sourceId);
    if (!queued) return this.start(tenantId, sourceId, trigger);
    // The running refresh may have listed the upstream before the change that prompted this request (a
    // list_changed, an admin's refresh after an upstream deploy): its result would not show it, so run once more.
    const again = () => this.start(tenantId, sourceId, trigger);
    queued.next ??= queued.running.then(again, again);
    return queued.next;
  }

  private start(tenantId: string, sourceId: string, trigger: RefreshTrigger): Promise<RefreshResult> {
    const running: Promise<RefreshResult> = this.run(tenantId, sourceId, trigger).finally(() => {
      const current = this.queue.get(sourceId);
      // A queued refresh takes over (its start() replaces the entry); otherwise the source is idle again.
      if (current?.running === running && !current.next) this.queue.delete(sourceId);
    });
    this.queue.set(sourceId, { running, next: null });
    return running;
  }

  private async run(tenantId: string, sourceId: string, trigger: RefreshTrigger): Promise<RefreshResult> {
    const source = await this.resolver.resolve(tenantId, sourceId, { fresh: true });
    let discovered;
    try {
      discovered = await this.catalog.read(source, trigger === 'schedule' || trigger === 'list_changed' ? BACKGROUND_LIST_MS : INTERACTIVE_LIST_MS);
    } catch (err) {
      const message = err instanceof UpstreamError || err instanceof AppException ? err.message : `discovery failed: ${(err as Error).message}`;
      // A scheduled claim is left to expire, so a failing upstream is retried after the claim time, not every tick.
      await this.db.query(`UPDATE tool_sources SET status = 'error', last_error = $3 WHERE id = $1 AND tenant_id = $2`, [
        sourceId,
        tenantId,
        message,
      ]);
      this.logger.warn({ sourceId, tenantId, trigger, err: message }, 'source discovery failed');
      throw new AppException('SOURCE_UNAVAILABLE', `Could not list the tools of source "${source.name}": ${message}`);
    }
    const { result, changedToolIds } = await this.db.transaction(async (m) => {
      const locked: unknown[] = await m.query(`SELECT 1 FROM tool_sources WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [sourceId, tenantId]);
      if (!locked.length) throw AppException.notFound('Source');
      const config = source.config as { toolNameTemplate?: string };
      const outcome = await reconcileTools(m, { id: sourceId, tenantId, namespace: source.namespace, toolNameTemplate: config.toolNameTemplate }, discovered);
      await m.query(
        `UPDATE tool_sources SET status = 'healthy', last_error = NULL, last_refreshed_at = now(), refresh_claimed_until = NULL, tool_count = $3
          WHERE id = $1 AND tenant_id = $2`,
        [sourceId, tenantId, outcome.activeCount],
      );
      return outcome;
    });
    await this.announce(tenantId, changedToolIds);
    this.logger.log({ sourceId, tenantId, trigger, ...summary(result) }, 'source tools refreshed');
    return result;
  }

  /** Tells the groups holding these tools (catalog caches, then list_changed to their agents). */
  async announce(tenantId: string, toolIds: string[]): Promise<void> {
    if (!toolIds.length) return;
    const rows: { group_id: string }[] = await this.db.query(
      `SELECT DISTINCT group_id FROM tool_group_tools WHERE tenant_id = $1 AND tool_id = ANY($2::uuid[])`,
      [tenantId, toolIds],
    );
    if (rows.length) this.events.emit('catalog.changed', { tenantId, groupIds: rows.map((r) => r.group_id) });
  }

  private onUpstreamListChanged(sourceId: string): void {
    clearTimeout(this.debounce.get(sourceId));
    this.debounce.set(
      sourceId,
      setTimeout(() => {
        this.debounce.delete(sourceId);
        void this.refreshById(sourceId, 'list_changed');
      }, LIST_CHANGED_DEBOUNCE_MS).unref(),
    );
  }

  /** For triggers that know only the source (list_changed, the scheduler): failures are logged, not thrown. */
  async refreshById(sourceId: string, trigger: RefreshTrigger): Promise<void> {
    try {
      const rows: { tenant_id: string }[] = await this.db.query(`SELECT tenant_id FROM tool_sources WHERE id = $1 AND enabled`, [sourceId]);
      if (rows.length) await this.refresh(rows[0].tenant_id, sourceId, trigger);
    } catch (err) {
      if (!(err instanceof AppException)) this.logger.error({ sourceId, trigger, err: (err as Error).message }, 'source refresh failed');
    }
  }
}

function summary(r: RefreshResult) {
  return { added: r.added.length, pendingReview: r.pendingReview.length, updated: r.updated.length, removed: r.removed.length, restored: r.restored.length, unchanged: r.unchanged };
}
