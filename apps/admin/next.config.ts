import type { NextConfig } from 'next';

// The console talks to the API through these rewrites so both share one origin:
// the API's auth cookie is httpOnly and SameSite=Lax, which a cross-origin
// console could not rely on.
// `next build` bakes rewrites into .next/routes-manifest.json, so
// TOOLGATE_API_URL must be set when building, not only when starting.
const apiUrl = (process.env.TOOLGATE_API_URL ?? 'http://127.0.0.1:3001').replace(/\/+$/, '');

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  async rewrites() {
    return [
      { source: '/api/:path*', destination: `${apiUrl}/api/:path*` },
      // MCP clients can point at the console's origin, which is the URL the groups page shows.
      { source: '/mcp/:path*', destination: `${apiUrl}/mcp/:path*` },
    ];
  },
};

export default nextConfig;
