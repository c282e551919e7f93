// Tool group endpoints. Types mirror the API until @toolgate/contracts
// publishes them; then they should be imported from there instead.
import { apiRequest } from '@/features/http/api-client';

export interface ToolGroup {
  id: string;
  name: string;
  description: string | null;
  serverCode: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ToolGroupList {
  items: ToolGroup[];
}

export function listToolGroups(signal?: AbortSignal): Promise<ToolGroupList> {
  return apiRequest<ToolGroupList>('/groups', { signal });
}
