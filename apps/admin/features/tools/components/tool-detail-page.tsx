'use client';

// One tool: what it does, where it comes from, its input as a form (what an
// agent would send), the groups serving it; enable or disable it.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { sourceListQueryOptions } from '@/features/sources/queries';
import { CodeBlock } from '@/features/ui/code-block';
import { PageHeader } from '@/features/ui/page-header';
import { BlockSkeleton } from '@/features/ui/skeleton';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { Tool } from '../api';
import { toolQueryOptions } from '../queries';
import { initialSchemaValue, SchemaForm, validateSchemaValue } from './schema-form';
import { ToolGroupsSection } from './tool-groups-section';
import { ToolStatus } from './tool-status';
import { useToolToggle } from './use-tool-toggle';

export function ToolDetailPage({ toolId }: { toolId: string }) {
  const t = useT();
  const tool = useQuery(toolQueryOptions(toolId));
  const back = { href: '/tools', label: t('tools.title') };

  if (tool.isPending) {
    return (
      <>
        <PageHeader title={t('common.loading')} back={back} />
        <BlockSkeleton label={t('tools.loadingOne')} lines={5} />
      </>
    );
  }
  if (tool.isError) {
    return (
      <>
        <PageHeader title={t('tools.title')} back={back} />
        <ErrorNotice error={tool.error} title={t('tools.loadOneError')} onRetry={() => void tool.refetch()} />
      </>
    );
  }
  return <ToolDetail tool={tool.data} />;
}

const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;

function ToolDetail({ tool }: { tool: Tool }) {
  const t = useT();
  const format = useFormat();
  const { can } = useAccess();
  const sources = useQuery(sourceListQueryOptions());
  const toggle = useToolToggle();
  const source = sources.data?.items.find((item) => item.id === tool.sourceId);
  const hints = HINTS.filter((hint) => tool.annotations[hint] === true);

  return (
    <>
      <PageHeader
        back={{ href: '/tools', label: t('tools.title') }}
        title={
          <span className="title-with-status">
            <code className="title-code">{tool.name}</code> <ToolStatus tool={tool} />
          </span>
        }
        description={tool.title ?? undefined}
        actions={
          can('writeConfig') &&
          tool.status === 'active' && (
            <button type="button" className="button button-secondary" onClick={() => toggle.toggle(tool)} disabled={toggle.pendingId === tool.id}>
              {tool.enabled ? t('common.disable') : t('common.enable')}
            </button>
          )
        }
      />
      {toggle.dialog}
      {tool.status === 'removed' && <p className="notice notice-warning">{t('tools.removedNotice')}</p>}

      <section className="card" aria-labelledby="tool-about-heading">
        <h2 id="tool-about-heading" className="card-title">
          {t('tools.aboutTitle')}
        </h2>
        <p className="pre-line">{tool.description || t('tools.noDescription')}</p>
        <dl className="kv">
          <dt>{t('tools.colSource')}</dt>
          <dd>{source ? `${source.name} (${source.kind})` : '—'}</dd>
          {tool.upstreamName && (
            <>
              <dt>{t('tools.upstreamName')}</dt>
              <dd>
                <code>{tool.upstreamName}</code>
              </dd>
            </>
          )}
          <dt>{t('tools.version')}</dt>
          <dd>{tool.version}</dd>
          <dt>{t('tools.timeout')}</dt>
          <dd>{t('tools.seconds', { count: tool.timeoutSeconds })}</dd>
          <dt>{t('tools.hints')}</dt>
          <dd>{hints.length ? hints.map((hint) => <span key={hint} className="badge badge-spaced">{t(`tools.hint.${hint}`)}</span>) : t('common.none')}</dd>
          <dt>{t('tools.colUpdated')}</dt>
          <dd>{format.dateTime(tool.updatedAt)}</dd>
        </dl>
      </section>

      <ToolGroupsSection tool={tool} />

      <ToolInputSection tool={tool} />
    </>
  );
}

function ToolInputSection({ tool }: { tool: Tool }) {
  const t = useT();
  const [args, setArgs] = useState(() => initialSchemaValue(tool.inputSchema));
  const errors = validateSchemaValue(tool.inputSchema, args, t);
  const json = JSON.stringify(args ?? {}, null, 2);

  return (
    <section className="section" aria-labelledby="tool-input-heading">
      <div className="section-header">
        <div>
          <h2 id="tool-input-heading">{t('tools.inputTitle')}</h2>
          <p className="muted">{t('tools.inputIntro')}</p>
        </div>
      </div>
      <div className="two-columns">
        <div className="card">
          <SchemaForm schema={tool.inputSchema} value={args} onChange={setArgs} errors={errors} />
        </div>
        <div className="card">
          <h3 className="card-title">{t('tools.argumentsPreview')}</h3>
          <CodeBlock code={json} copyLabel={t('tools.copyArguments')} />
          <details>
            <summary>{t('tools.inputSchema')}</summary>
            <CodeBlock code={JSON.stringify(tool.inputSchema, null, 2)} copyLabel={t('tools.copyInputSchema')} />
          </details>
          {tool.outputSchema && (
            <details>
              <summary>{t('tools.outputSchema')}</summary>
              <CodeBlock code={JSON.stringify(tool.outputSchema, null, 2)} copyLabel={t('tools.copyOutputSchema')} />
            </details>
          )}
        </div>
      </div>
    </section>
  );
}
