'use client';

// The playground: pick a group and one of its tools, fill in the arguments with the schema form, and call the
// tool through the group's real MCP endpoint, as an agent would. Shows the result (content, structuredContent,
// isError) and the call-log row the call produced.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { maskedKey } from '@/features/api-keys/api';
import { sessionQueryOptions } from '@/features/auth/queries';
import { callLogKeys } from '@/features/call-logs/queries';
import { statsKeys } from '@/features/dashboards/queries';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { mcpEndpointUrl } from '@/features/tool-groups/components/mcp-endpoint';
import { toolGroupListQueryOptions } from '@/features/tool-groups/queries';
import { initialSchemaValue, SchemaForm, validateSchemaValue } from '@/features/tools/components/schema-form';
import { EmptyState } from '@/features/ui/empty-state';
import { PageHeader } from '@/features/ui/page-header';
import { BlockSkeleton } from '@/features/ui/skeleton';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import { callToolOverMcp, newRequestId } from '../mcp-call';
import { useCallableTools, type CallableTool } from '../queries';
import { CallResult, type Run } from './call-result';
import { usePlaygroundKey } from './use-playground-key';
import './playground.css';

export function PlaygroundPage() {
  const t = useT();
  const { can, tenantId } = useAccess();
  const session = useQuery(sessionQueryOptions());
  if (!can('writeConfig')) {
    return (
      <>
        <PageHeader title={t('playground.title')} />
        <EmptyState title={t('playground.notAllowedTitle')} body={t('playground.notAllowedBody')} />
      </>
    );
  }
  if (!session.data) return <BlockSkeleton label={t('playground.loading')} />;
  // A tenant switch starts over: the key belongs to the tenant it was made in.
  return <Playground key={tenantId} tenantId={tenantId} userEmail={session.data.user.email} />;
}

function Playground({ tenantId, userEmail }: { tenantId: string; userEmail: string }) {
  const t = useT();
  const format = useFormat();
  const queryClient = useQueryClient();
  const searchParams = useSearchParams();
  const groups = useQuery(toolGroupListQueryOptions());
  const [groupId, setGroupId] = useState<string | null>(null);
  const [toolName, setToolName] = useState<string | null>(null);
  const tools = useCallableTools(groupId);
  const playgroundKey = usePlaygroundKey(tenantId, userEmail);
  const [run, setRun] = useState<Run>({ status: 'idle' });
  const abort = useRef<AbortController | null>(null);
  const groupFieldId = useId();
  const toolFieldId = useId();

  // Start with the group named in the URL (?group=<server code>), else the first enabled one.
  useEffect(() => {
    if (groupId || !groups.data?.items.length) return;
    const wanted = searchParams.get('group');
    const start = groups.data.items.find((g) => g.serverCode === wanted) ?? groups.data.items.find((g) => g.enabled) ?? groups.data.items[0];
    setGroupId(start.id);
  }, [groups.data, groupId, searchParams]);

  const group = groups.data?.items.find((g) => g.id === groupId) ?? null;
  const tool = tools.callable.find((candidate) => candidate.name === toolName) ?? null;

  // A group's first tool (or the one in the URL) is picked when its list arrives.
  useEffect(() => {
    if (tools.isPending || tool) return;
    const wanted = searchParams.get('tool');
    setToolName((tools.callable.find((c) => c.name === wanted) ?? tools.callable[0])?.name ?? null);
  }, [tools.isPending, tools.callable, tool, searchParams]);

  // Leaving the page (or the group) ends a call in flight.
  useEffect(() => () => abort.current?.abort(), []);

  function chooseGroup(id: string) {
    abort.current?.abort();
    // The key only works on its own group's endpoint.
    playgroundKey.release();
    setGroupId(id);
    setToolName(null);
    setRun({ status: 'idle' });
  }

  async function callTool(target: CallableTool, args: Record<string, unknown>) {
    if (!group) return;
    const controller = new AbortController();
    abort.current = controller;
    setRun({ status: 'running', toolName: target.name, progress: null });
    try {
      const key = await playgroundKey.ensure(group.id);
      const outcome = await callToolOverMcp({
        endpoint: mcpEndpointUrl(group.serverCode),
        apiKey: key.plaintext,
        toolName: target.name,
        args,
        inputSchema: target.tool.inputSchema,
        requestId: newRequestId(),
        signal: controller.signal,
        onProgress: (progress) => setRun({ status: 'running', toolName: target.name, progress }),
      });
      setRun({ status: 'done', outcome, keyId: key.id, toolId: target.toolId, toolName: target.name });
      // The explorer and the dashboards now have one more call to show.
      void queryClient.invalidateQueries({ queryKey: callLogKeys.all });
      void queryClient.invalidateQueries({ queryKey: statsKeys.all });
    } catch (error) {
      if (controller.signal.aborted) setRun({ status: 'idle' });
      else setRun({ status: 'failed', error, toolName: target.name });
    } finally {
      if (abort.current === controller) abort.current = null;
    }
  }

  let request;
  if (groups.isPending) request = <BlockSkeleton label={t('playground.loading')} lines={5} />;
  else if (groups.isError) request = <ErrorNotice error={groups.error} title={t('playground.groupsError')} onRetry={() => void groups.refetch()} />;
  else if (groups.data.items.length === 0) request = <EmptyState title={t('playground.noGroupsTitle')} body={t('playground.noGroupsBody')} />;
  else
    request = (
      <div className="card playground-request">
        <h2 className="card-title">{t('playground.requestTitle')}</h2>
        <div className="field-row">
          <div className="field">
            <label htmlFor={groupFieldId}>{t('playground.group')}</label>
            <select id={groupFieldId} className="select select-block" value={groupId ?? ''} onChange={(e) => chooseGroup(e.target.value)} disabled={run.status === 'running'}>
              {groups.data.items.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.enabled ? g.name : t('playground.groupDisabledOption', { name: g.name })}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={toolFieldId}>{t('playground.tool')}</label>
            <select
              id={toolFieldId}
              className="select select-block"
              value={toolName ?? ''}
              onChange={(e) => {
                setToolName(e.target.value);
                setRun({ status: 'idle' });
              }}
              disabled={run.status === 'running' || tools.callable.length === 0}
            >
              {tools.callable.length === 0 && <option value="">{tools.isPending ? t('common.loading') : t('playground.noTools')}</option>}
              {tools.callable.map((c) => (
                <option key={c.toolId} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        {group && (
          <p className="field-hint">
            {t('playground.endpoint')} <code>{mcpEndpointUrl(group.serverCode)}</code>
          </p>
        )}
        {group && !group.enabled && <p className="notice notice-warning">{t('playground.groupDisabled')}</p>}
        {tools.error ? (
          <ErrorNotice error={tools.error} title={t('playground.toolsError')} onRetry={() => void tools.refetch()} />
        ) : tools.isPending ? (
          <BlockSkeleton label={t('playground.loadingTools')} lines={3} />
        ) : tools.callable.length === 0 ? (
          <EmptyState title={t('playground.noToolsTitle')} body={t('playground.noToolsBody')} />
        ) : (
          tool && (
            <ToolForm
              key={`${groupId}:${tool.name}`}
              tool={tool}
              running={run.status === 'running'}
              onCall={(args) => void callTool(tool, args)}
              onCancel={() => abort.current?.abort()}
            />
          )
        )}
        {tools.hidden > 0 && <p className="field-hint">{t('playground.hiddenTools', { count: tools.hidden })}</p>}
      </div>
    );

  return (
    <>
      <PageHeader title={t('playground.title')} description={t('playground.intro')} />
      <div className="notice notice-info playground-help">
        <p>{t('playground.keyHelp', { email: userEmail })}</p>
        {playgroundKey.key && (
          <p className="playground-key">
            {t('playground.keyInUse', {
              key: maskedKey(playgroundKey.key),
              time: format.dateTime(playgroundKey.key.expiresAt),
            })}{' '}
            <button type="button" className="button button-secondary button-small" onClick={() => playgroundKey.release()} disabled={run.status === 'running'}>
              {t('playground.revokeNow')}
            </button>
          </p>
        )}
      </div>
      <div className="playground-columns">
        {request}
        <div className="card playground-response" aria-live="polite">
          <h2 className="card-title">{t('playground.responseTitle')}</h2>
          <CallResult run={run} creatingKey={playgroundKey.creating} />
        </div>
      </div>
    </>
  );
}

function ToolForm({
  tool,
  running,
  onCall,
  onCancel,
}: {
  tool: CallableTool;
  running: boolean;
  onCall(args: Record<string, unknown>): void;
  onCancel(): void;
}) {
  const t = useT();
  const schema = tool.tool.inputSchema;
  const [args, setArgs] = useState(() => initialSchemaValue(schema));
  const [submitted, setSubmitted] = useState(false);
  const errors = useMemo(() => (submitted ? validateSchemaValue(schema, args, t) : {}), [submitted, schema, args, t]);

  function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateSchemaValue(schema, args, t)).length > 0) return;
    onCall((args ?? {}) as Record<string, unknown>);
  }

  return (
    <form className="playground-form" onSubmit={submit} noValidate aria-label={t('playground.argumentsLabel', { tool: tool.name })}>
      {tool.description && <p className="muted">{tool.description}</p>}
      <SchemaForm schema={schema} value={args} onChange={setArgs} errors={errors} disabled={running} />
      <details className="playground-json">
        <summary>{t('playground.argumentsJson')}</summary>
        <pre className="code-block">{JSON.stringify(args ?? {}, null, 2)}</pre>
      </details>
      <div className="playground-actions">
        {running ? (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            {t('playground.cancelCall')}
          </button>
        ) : null}
        <button type="submit" className="button button-primary" disabled={running}>
          {running ? t('playground.calling') : t('playground.call')}
        </button>
      </div>
    </form>
  );
}
