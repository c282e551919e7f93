// Group pages are addressed by server code, the name users know the endpoint by.
import type { ToolGroup } from '../api';

export function groupHref(group: Pick<ToolGroup, 'serverCode'>): string {
  return `/groups/${encodeURIComponent(group.serverCode)}`;
}
