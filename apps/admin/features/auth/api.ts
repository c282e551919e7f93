// Session endpoints. Shapes come from @toolgate/contracts, the API's own schemas.
import type { LoginResponse as ApiLoginResponse, MeResponse, Role } from '@toolgate/contracts';
import { apiRequest } from '@/features/http/api-client';

export type { Role };
export type Session = MeResponse;
export type SessionUser = Session['user'];
export type Membership = Session['memberships'][number];

export interface LoginRequest {
  email: string;
  password: string;
}

// `token` is for non-browser clients; the console relies on the cookie the
// same response sets and never stores the token.
export type LoginResponse = ApiLoginResponse;

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
