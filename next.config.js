/** @type {import('next').NextConfig} */
const nextConfig = {
  // The proxy and CLI import server-only packages; keep them out of the bundle.
  serverExternalPackages: ["@node-rs/argon2", "pg", "@electric-sql/pglite", "@electric-sql/pglite-socket", "pino", "undici", "@aws-sdk/client-ecr"],
  poweredByHeader: false,
  // The same bound as MAX_REQUEST_BODY_BYTES (lib/http/request-limits.ts), which the portal's server
  // enforces before Next reads a body; Next's own count is the second line.
  experimental: { serverActions: { bodySizeLimit: "1mb" } },
  typedRoutes: false,
  // Type errors are caught by `npm run typecheck` (tsc) in `npm test`.
  typescript: { ignoreBuildErrors: false, tsconfigPath: "tsconfig.build.json" },
};

export default nextConfig;
