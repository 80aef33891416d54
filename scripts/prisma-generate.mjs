// `prisma generate` offline: the CLI insists on a schema-engine binary path
// even though generation never runs it, so point it at an existing file.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
const r = spawnSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "generate"], { cwd: root, env, stdio: process.argv.includes("--quiet") ? "pipe" : "inherit" });
if (r.status !== 0) {
  if (r.stderr) process.stderr.write(r.stderr);
  process.exit(r.status ?? 1);
}
