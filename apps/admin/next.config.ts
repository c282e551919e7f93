import type { NextConfig } from 'next';

// `/api/*` and `/mcp/*` reach the API through route handlers (app/api, app/mcp), which read
// TOOLGATE_API_URL per request. Rewrites are not used: `next build` would bake the address in.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
