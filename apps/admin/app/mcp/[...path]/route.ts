// /mcp/* is the MCP gateway, forwarded at request time (see proxy-to-api.ts), so agents can use the
// endpoint the groups page shows on the console's origin. Event streams pass through as they arrive.
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
