'use client';

// What a playground call returned (content blocks, structuredContent, isError, or the JSON-RPC error), and the
// call-log row the gateway wrote for it.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { JsonBlock, jsonPreview } from '@/features/call-logs/components/json-block';
import { OutcomeBadge } from '@/features/call-logs/components/outcome-badge';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { CopyButton } from '@/features/ui/copy-button';
import { BlockSkeleton } from '@/features/ui/skeleton';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { ContentBlock, McpCallOutcome, McpProgress } from '../mcp-call';
import { callLogLookupQueryOptions } from '../queries';

export type Run =
  | { status: 'idle' }
  | { status: 'running'; toolName: string; progress: McpProgress | null }
  | { status: 'done'; outcome: McpCallOutcome; keyId: string; toolId: string; toolName: string }
  | { status: 'failed'; error: unknown; toolName: string };

export function CallResult({ run, creatingKey }: { run: Run; creatingKey: boolean }) {
  const t = useT();
  const format = useFormat();

  if (run.status === 'idle') return <p className="muted">{t('playground.idle')}</p>;
  if (run.status === 'running') {
    const { progress } = run;
    return (
      <div className="playground-running" role="status">
        <p>{creatingKey ? t('playground.creatingKey') : t('playground.callingTool', { tool: run.toolName })}</p>
        {progress && (
          <p className="muted">
            {progress.total
              ? t('playground.progressOf', { progress: format.number(progress.progress), total: format.number(progress.total) })
              : t('playground.progress', { progress: format.number(progress.progress) })}
            {progress.message ? ` · ${progress.message}` : ''}
          </p>
        )}
      </div>
    );
  }
  if (run.status === 'failed') return <ErrorNotice error={run.error} title={t('playground.callFailed', { tool: run.toolName })} />;

  const { outcome } = run;
  const result = outcome.result;
  return (
    <div className="playground-result">
      <div className="playground-status">
        {outcome.error ? (
          <span className="outcome outcome-bad">{t('playground.rpcError', { code: outcome.error.code })}</span>
        ) : result?.isError ? (
          <span className="outcome outcome-warn">{t('playground.toolError')}</span>
        ) : (
          <span className="outcome outcome-ok">{t('playground.success')}</span>
        )}
        <span className="muted">
          {t('playground.meta', { status: outcome.httpStatus, ms: format.number(outcome.durationMs) })}
        </span>
      </div>
      <dl className="kv">
        <dt>{t('playground.requestId')}</dt>
        <dd className="endpoint">
          <code>{outcome.requestId}</code>
          <CopyButton value={outcome.requestId} label={t('playground.copyRequestId')} />
        </dd>
        {result && (
          <>
            <dt>isError</dt>
            <dd>
              <code>{String(result.isError ?? false)}</code>
            </dd>
          </>
        )}
      </dl>

      {outcome.error && (
        <div className="notice notice-error">
          <p className="notice-title">{outcome.error.message}</p>
          {outcome.error.data !== undefined && <p className="notice-meta">{JSON.stringify(outcome.error.data)}</p>}
        </div>
      )}

      {result && (
        <>
          <section className="playground-section" aria-label={t('playground.content')}>
            <h3 className="playground-section-title">{t('playground.content')}</h3>
            {(result.content ?? []).length === 0 ? (
              <p className="muted">{t('common.none')}</p>
            ) : (
              (result.content ?? []).map((block, index) => <ContentView key={index} block={block} />)
            )}
          </section>
          <section className="playground-section" aria-label={t('playground.structured')}>
            <h3 className="playground-section-title">
              {t('playground.structured')} <code className="muted">structuredContent</code>
            </h3>
            <JsonBlock value={result.structuredContent ?? null} copyLabel={t('playground.copyStructured')} />
          </section>
        </>
      )}
      <details className="playground-json">
        <summary>{t('playground.raw')}</summary>
        <pre className="code-block">{JSON.stringify(outcome.raw, null, 2)}</pre>
      </details>

      <CallLogRow requestId={outcome.requestId} keyId={run.keyId} toolId={run.toolId} />
    </div>
  );
}

function ContentView({ block }: { block: ContentBlock }) {
  const t = useT();
  if (block.type === 'text' && typeof block.text === 'string') {
    return <pre className="code-block playground-text">{block.text}</pre>;
  }
  if (block.type === 'image' && typeof block.data === 'string' && typeof block.mimeType === 'string') {
    return <img className="playground-image" src={`data:${block.mimeType};base64,${block.data}`} alt={t('playground.imageAlt')} />;
  }
  if (block.type === 'audio' && typeof block.data === 'string' && typeof block.mimeType === 'string') {
    return <audio controls src={`data:${block.mimeType};base64,${block.data}`} />;
  }
  return <JsonBlock value={block} copyLabel={t('playground.copyBlock')} />;
}

function CallLogRow({ requestId, keyId, toolId }: { requestId: string; keyId: string; toolId: string }) {
  const t = useT();
  const format = useFormat();
  const log = useQuery(callLogLookupQueryOptions({ requestId, keyId, toolId }));

  let body;
  if (log.isPending) body = <BlockSkeleton label={t('playground.logLoading')} lines={2} />;
  else if (log.isError) body = <p className="muted">{t('playground.logMissing', { requestId })}</p>;
  else {
    const row = log.data;
    const href = `/logs?${new URLSearchParams({ key: row.apiKeyId ?? '', range: '24h', log: row.id }).toString()}`;
    body = (
      <div className="playground-log" data-log-id={row.id}>
        <dl className="kv">
          <dt>{t('logs.colTime')}</dt>
          <dd>
            <time dateTime={row.createdAt}>{format.dateTime(row.createdAt)}</time>
          </dd>
          <dt>{t('logs.colTool')}</dt>
          <dd>{row.toolName}</dd>
          <dt>{t('logs.colOutcome')}</dt>
          <dd>
            <OutcomeBadge outcome={row.outcome} />
          </dd>
          <dt>{t('logs.colDuration')}</dt>
          <dd>{t('logs.ms', { ms: format.number(row.durationMs) })}</dd>
          <dt>{t('logs.colArguments')}</dt>
          <dd>
            <code>{jsonPreview(row.arguments)}</code>
          </dd>
        </dl>
        <Link href={href} className="button button-secondary button-small">
          {t('playground.openLog')}
        </Link>
      </div>
    );
  }
  return (
    <section className="playground-section" aria-label={t('playground.logTitle')}>
      <h3 className="playground-section-title">{t('playground.logTitle')}</h3>
      {body}
    </section>
  );
}
