/** @type {import('next').NextConfig} */
const nextConfig = {
  // The proxy and CLI import server-only packages; keep them out of the bundle.
  serverExternalPackages: ["@node-rs/argon2", "pg", "@electric-sql/pglite", "@electric-sql/pglite-socket", "pino", "undici", "@aws-sdk/client-ecr"],
  poweredByHeader: false,
  typedRoutes: false,
  // Type errors are caught by `npm run typecheck` (tsc) in `npm test`.
  typescript: { ignoreBuildErrors: false, tsconfigPath: "tsconfig.build.json" },
};

export default nextConfig;
