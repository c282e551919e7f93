// How kinds and connection states read in the console.
import type { SourceDto } from '@toolgate/contracts';
import type { MessageKey } from '@/i18n/en';
import type { UpstreamKind } from '../api';

export const KIND_LABEL_KEYS: Record<SourceDto['kind'], MessageKey> = {
  builtin: 'sources.kindBuiltin',
  mcp_http: 'sources.kindHttp',
  mcp_sse: 'sources.kindSse',
  mcp_stdio: 'sources.kindStdio',
  http: 'sources.kindOpenApi',
};

export const KIND_HINT_KEYS: Record<UpstreamKind, MessageKey> = {
  mcp_http: 'sources.kindHttpHint',
  mcp_sse: 'sources.kindSseHint',
  mcp_stdio: 'sources.kindStdioHint',
  http: 'sources.kindOpenApiHint',
};

const STATE_KEYS: Record<string, MessageKey> = {
  idle: 'sources.stateIdle',
  connecting: 'sources.stateConnecting',
  ready: 'sources.stateReady',
  'open-circuit': 'sources.stateOpenCircuit',
  failed: 'sources.stateFailed',
  disabled: 'sources.stateDisabled',
};

const DISCOVERY_KEYS: Record<string, MessageKey> = {
  unknown: 'sources.discoveryUnknown',
  healthy: 'sources.discoveryHealthy',
  error: 'sources.discoveryError',
};

/** The label key of a connection state; unknown states show as they come. */
export function stateLabelKey(state: string): MessageKey | null {
  return STATE_KEYS[state] ?? null;
}

export function discoveryLabelKey(status: string): MessageKey | null {
  return DISCOVERY_KEYS[status] ?? null;
}

/** The dot's colour: green when working, red when failing, grey otherwise. */
export function stateTone(state: string): 'status-on' | 'status-danger' | 'status-off' {
  if (state === 'ready' || state === 'healthy') return 'status-on';
  if (state === 'failed' || state === 'open-circuit' || state === 'error') return 'status-danger';
  return 'status-off';
}
