// /api/* is the Toolgate admin API, forwarded at request time (see proxy-to-api.ts). Same-origin
// calls let the console rely on the API's httpOnly, SameSite=Lax session cookie.
import { proxyToApi } from '@/features/http/proxy-to-api';

// Every request goes to the API as it comes: nothing is prerendered or cached.
export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = proxyToApi;
export const HEAD = proxyToApi;
export const POST = proxyToApi;
export const PUT = proxyToApi;
export const PATCH = proxyToApi;
export const DELETE = proxyToApi;
export const OPTIONS = proxyToApi;
