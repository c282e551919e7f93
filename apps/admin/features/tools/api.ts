// Tool catalog endpoints.
import type { ToolDto, UpdateTool } from '@toolgate/contracts';
import { apiRequest } from '@/features/http/api-client';

export type Tool = ToolDto;

export interface ToolFilters {
  q?: string;
  sourceId?: string;
  groupId?: string;
  enabled?: boolean;
}

export function listTools(filters: ToolFilters, signal?: AbortSignal): Promise<{ items: Tool[] }> {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.sourceId) params.set('sourceId', filters.sourceId);
  if (filters.groupId) params.set('groupId', filters.groupId);
  if (filters.enabled !== undefined) params.set('enabled', String(filters.enabled));
  const query = params.toString();
  return apiRequest(`/tools${query ? `?${query}` : ''}`, { signal });
}

export function getTool(id: string, signal?: AbortSignal): Promise<Tool> {
  return apiRequest(`/tools/${id}`, { signal });
}

export function updateTool(id: string, changes: UpdateTool): Promise<Tool> {
  return apiRequest(`/tools/${id}`, { method: 'PATCH', body: changes });
}
