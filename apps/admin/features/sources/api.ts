// Source endpoints: upstream MCP servers and HTTP APIs, their health, drift reviews, the OpenAPI
// preview, and the platform's allowlist of stdio commands.
import type {
  CreateSource,
  OpenApiOperationDtoSchema,
  RefreshResult,
  SourceDto,
  SourceStatus,
  StdioCommandDto,
  ToolReviewDto,
} from '@toolgate/contracts';
import type { z } from 'zod';
import { apiRequest } from '@/features/http/api-client';

export type Source = SourceDto;
export type { RefreshResult, SourceStatus, StdioCommandDto, ToolReviewDto };
export type UpstreamKind = Exclude<SourceDto['kind'], 'builtin'>;
export type OpenApiOperation = z.infer<typeof OpenApiOperationDtoSchema>;

/** What POST /sources takes, with the defaults the API would fill in spelled out. */
export type NewSource = Omit<CreateSource, 'kind'> & { kind: UpstreamKind };

export interface SourceChanges {
  name?: string;
  config?: Record<string, unknown>;
  /** Replaces every stored secret when present. */
  secrets?: Record<string, string>;
  enabled?: boolean;
}

export interface OpenApiPreviewRequest {
  documentUrl?: string;
  document?: string;
  namespace: string;
  toolNameTemplate?: string;
}

export interface OpenApiPreview {
  title: string;
  version: string;
  operations: OpenApiOperation[];
  notes: string[];
}

export function listSources(signal?: AbortSignal): Promise<{ items: Source[] }> {
  return apiRequest('/sources', { signal });
}

export function getSource(id: string, signal?: AbortSignal): Promise<Source> {
  return apiRequest(`/sources/${id}`, { signal });
}

/** Saves the source and lists its tools; an unreachable upstream still saves it, with status `error`. */
export function createSource(body: NewSource): Promise<Source> {
  return apiRequest('/sources', { method: 'POST', body });
}

export function updateSource(id: string, changes: SourceChanges): Promise<Source> {
  return apiRequest(`/sources/${id}`, { method: 'PATCH', body: changes });
}

export function deleteSource(id: string): Promise<void> {
  return apiRequest(`/sources/${id}`, { method: 'DELETE' });
}

export function refreshSource(id: string): Promise<{ source: Source; refresh: RefreshResult | null }> {
  return apiRequest(`/sources/${id}/refresh`, { method: 'POST' });
}

export function getSourceStatus(id: string, signal?: AbortSignal): Promise<SourceStatus> {
  return apiRequest(`/sources/${id}/status`, { signal });
}

export function previewOpenApi(body: OpenApiPreviewRequest): Promise<OpenApiPreview> {
  return apiRequest('/sources/openapi/preview', { method: 'POST', body });
}

export function listToolReviews(sourceId: string, signal?: AbortSignal): Promise<{ items: ToolReviewDto[] }> {
  const params = new URLSearchParams({ sourceId, status: 'pending' });
  return apiRequest(`/tool-reviews?${params}`, { signal });
}

export function approveToolReview(id: string): Promise<ToolReviewDto> {
  return apiRequest(`/tool-reviews/${id}/approve`, { method: 'POST' });
}

export function rejectToolReview(id: string): Promise<ToolReviewDto> {
  return apiRequest(`/tool-reviews/${id}/reject`, { method: 'POST' });
}

// The stdio allowlist is the platform's, not a tenant's.
export function listStdioCommands(signal?: AbortSignal): Promise<{ items: StdioCommandDto[] }> {
  return apiRequest('/platform/stdio-commands', { signal, tenantScoped: false });
}

export function addStdioCommand(body: { command: string; description: string }): Promise<StdioCommandDto> {
  return apiRequest('/platform/stdio-commands', { method: 'PUT', body, tenantScoped: false });
}

export function removeStdioCommand(command: string): Promise<void> {
  return apiRequest(`/platform/stdio-commands/${encodeURIComponent(command)}`, { method: 'DELETE', tenantScoped: false });
}
