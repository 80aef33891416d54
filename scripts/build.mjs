// `npm run build`: generate the Prisma client, bundle the proxy (dist/proxy/main.mjs,
// see cli/proxy-bundle.ts) and the portal's server (dist/portal-server/main.mjs),
// then build the portal with Next.
// Exits non-zero as soon as a step fails, so `npm start` and CI notice.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function run(label, args) {
  const started = Date.now();
  console.log(`> ${label}`);
  const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: "inherit" });
  if (result.error) {
    console.error(`build: ${label} could not start: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(`build: ${label} failed (${result.signal ?? `exit code ${result.status}`})`);
    process.exit(result.status || 1);
  }
  console.log(`  ${label} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

run("prisma generate", [path.join(root, "scripts/prisma-generate.mjs")]);
{
  const started = Date.now();
  console.log("> bundle proxy");
  try {
    const { bundleProxy, PORTAL_SERVER_BUNDLE, PORTAL_SERVER_SOURCE } = await tsImport("../cli/proxy-bundle.ts", import.meta.url);
    const { outfile } = await bundleProxy();
    const { outfile: portalServer } = await bundleProxy(PORTAL_SERVER_BUNDLE, PORTAL_SERVER_SOURCE);
    console.log(
      `  bundle proxy done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${path.relative(root, outfile)}, ${path.relative(root, portalServer)}`,
    );
  } catch (err) {
    console.error(`build: bundle proxy failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
run("next build", [require.resolve("next/dist/bin/next", { paths: [root] }), "build"]);
