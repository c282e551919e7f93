// Session endpoints. The types mirror the API until @toolgate/contracts
// publishes them; then they should be imported from there instead.
import { apiRequest } from '@/features/http/api-client';

export type Role = 'owner' | 'admin' | 'auditor' | 'viewer';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
}

export interface Membership {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  role: Role;
}

export interface Session {
  user: SessionUser;
  memberships: Membership[];
}

export interface LoginRequest {
  email: string;
  password: string;
}

// `token` is for non-browser clients; the console relies on the cookie the
// same response sets and never stores the token.
export interface LoginResponse extends Session {
  token: string;
}

export function login(credentials: LoginRequest): Promise<LoginResponse> {
  return apiRequest<LoginResponse>('/auth/login', {
    method: 'POST',
    body: credentials,
    onUnauthorized: 'throw',
    tenantScoped: false,
  });
}

export function getSession(signal?: AbortSignal): Promise<Session> {
  return apiRequest<Session>('/auth/me', { signal, tenantScoped: false });
}

export function logout(): Promise<void> {
  // A 401 here means the session is already gone, which is what logout wants.
  return apiRequest<void>('/auth/logout', { method: 'POST', onUnauthorized: 'throw', tenantScoped: false });
}
