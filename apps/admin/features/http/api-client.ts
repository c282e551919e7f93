// The one place the console calls the Toolgate API: same-origin fetch (the
// console forwards /api to the API, see proxy-to-api.ts), the session cookie,
// the tenant header, and the API's error envelope turned into ApiError.
import { z } from 'zod';
import { selectedTenant } from '@/features/tenants/selected-tenant';

const API_PREFIX = '/api/v1';
export const LOGIN_PATH = '/login';

// Codes the client invents when there is no API error body to report.
// Components translate these; API codes arrive with their own message.
export const ClientErrorCode = {
  /** No answer from the API: a network failure, or the proxy could not reach it. */
  Unreachable: 'CLIENT_API_UNREACHABLE',
  UnexpectedResponse: 'CLIENT_UNEXPECTED_RESPONSE',
} as const;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the message came from the API and is meant for the user. */
  get hasApiMessage(): boolean {
    return this.code !== ClientErrorCode.Unreachable && this.code !== ClientErrorCode.UnexpectedResponse;
  }
}

const errorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
  }),
});

export interface ApiRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /**
   * What a 401 means. For most calls it is an expired or missing session, so
   * the user is sent to the login page; the login call itself answers 401 for
   * a wrong password and must show that message instead.
   */
  onUnauthorized?: 'redirect-to-login' | 'throw';
  /**
   * Whether the call acts on the selected tenant. The auth endpoints do not:
   * a tenant id left by an earlier session must not reach them.
   */
  tenantScoped?: boolean;
  /** Extra request headers, e.g. `Accept` for a download. */
  headers?: Record<string, string>;
  /** Lets the request outlive the page (a clean-up sent while the tab closes). */
  keepalive?: boolean;
}

export async function apiRequest<T>(path: string, options: ApiRequestOptions = {}): Promise<T> {
  const response = await apiFetch(path, options);
  if (response.status === 204) return undefined as T;

  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, ClientErrorCode.UnexpectedResponse, 'Response was not JSON', null);
  }
}

/**
 * The same request as `apiRequest`, answering the successful `Response` itself: for bodies read as a
 * stream (the call-log export). Failures throw `ApiError` as `apiRequest` does.
 */
export async function apiFetch(path: string, options: ApiRequestOptions = {}): Promise<Response> {
  const { method = 'GET', body, signal, onUnauthorized = 'redirect-to-login', tenantScoped = true, keepalive } = options;

  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const tenantId = tenantScoped ? selectedTenant.get() : null;
  if (tenantId) headers['X-Tenant-Id'] = tenantId;

  let response: Response;
  try {
    response = await fetch(`${API_PREFIX}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'include',
      signal,
      keepalive,
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError(0, ClientErrorCode.Unreachable, 'Network error', null);
  }

  if (response.status === 401 && onUnauthorized === 'redirect-to-login') {
    redirectToLogin();
  }

  if (!response.ok) throw await toApiError(response);
  return response;
}

async function toApiError(response: Response): Promise<ApiError> {
  const parsed = errorEnvelope.safeParse(await response.json().catch(() => null));
  if (parsed.success) {
    const { code, message, requestId } = parsed.data.error;
    return new ApiError(response.status, code, message, requestId);
  }
  // The API answers every error with the envelope, even a 500, and so does the
  // console's proxy when the API is down (502 API_UNREACHABLE). A 5xx without
  // it came from something else in front, e.g. a load balancer; anything else
  // has no message worth showing as-is.
  const code = response.status >= 500 ? ClientErrorCode.Unreachable : ClientErrorCode.UnexpectedResponse;
  return new ApiError(response.status, code, `HTTP ${response.status}`, null);
}

function redirectToLogin(): void {
  if (typeof window === 'undefined' || window.location.pathname === LOGIN_PATH) return;
  // A full navigation, not a router push: it also drops every cached query
  // that belonged to the expired session.
  window.location.assign(LOGIN_PATH);
}
