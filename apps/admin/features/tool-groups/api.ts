// Tool group endpoints: the groups, and the tools each group serves (with its per-group overrides).
import type { CreateGroup, GroupDto, GroupToolAssignment, GroupToolDto, UpdateGroup } from '@toolgate/contracts';
import { apiRequest } from '@/features/http/api-client';

export type ToolGroup = GroupDto;
export type GroupTool = GroupToolDto;
export type { GroupToolAssignment };

/** What the create form sends; the API fills in the rest (empty role lists, no rate limits). */
export type NewToolGroup = Pick<CreateGroup, 'name' | 'serverCode' | 'description' | 'enabled'>;

export function listToolGroups(signal?: AbortSignal): Promise<{ items: ToolGroup[] }> {
  return apiRequest('/groups', { signal });
}

export function getToolGroup(id: string, signal?: AbortSignal): Promise<ToolGroup> {
  return apiRequest(`/groups/${id}`, { signal });
}

export function createToolGroup(body: NewToolGroup): Promise<ToolGroup> {
  return apiRequest('/groups', { method: 'POST', body });
}

export function updateToolGroup(id: string, body: UpdateGroup): Promise<ToolGroup> {
  return apiRequest(`/groups/${id}`, { method: 'PATCH', body });
}

export function deleteToolGroup(id: string): Promise<void> {
  return apiRequest(`/groups/${id}`, { method: 'DELETE' });
}

export function listGroupTools(groupId: string, signal?: AbortSignal): Promise<{ items: GroupTool[] }> {
  return apiRequest(`/groups/${groupId}/tools`, { signal });
}

/** Adds the tool to the group, or changes its overrides there. */
export function assignGroupTool(groupId: string, toolId: string, body: GroupToolAssignment): Promise<GroupTool> {
  return apiRequest(`/groups/${groupId}/tools/${toolId}`, { method: 'PUT', body });
}

export function unassignGroupTool(groupId: string, toolId: string): Promise<void> {
  return apiRequest(`/groups/${groupId}/tools/${toolId}`, { method: 'DELETE' });
}
