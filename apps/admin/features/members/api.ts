// Members of the selected tenant and their roles (owners only).
import type { MemberDto, Role } from '@toolgate/contracts';
import { apiRequest } from '@/features/http/api-client';

export type Member = MemberDto;

export interface NewMember {
  email: string;
  name?: string;
  role: Role;
  /** Only for someone without an account yet: their first password. */
  password?: string;
}

export function listMembers(signal?: AbortSignal): Promise<{ items: Member[] }> {
  return apiRequest('/members', { signal });
}

export function addMember(body: NewMember): Promise<Member> {
  return apiRequest('/members', { method: 'POST', body });
}

/** `id` is the membership's id, not the user's. */
export function changeMemberRole(id: string, role: Role): Promise<Member> {
  return apiRequest(`/members/${id}`, { method: 'PATCH', body: { role } });
}

export function removeMember(id: string): Promise<void> {
  return apiRequest(`/members/${id}`, { method: 'DELETE' });
}
