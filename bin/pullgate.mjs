#!/usr/bin/env node
// The `pullgate` command. The CLI is TypeScript like the rest of the code, so
// tsx compiles it on the fly (resolving the "@/..." paths of tsconfig.json).
import { register } from "tsx/esm/api";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
register({ tsconfig: path.join(root, "tsconfig.json") });
const { main } = await import("../cli/main.ts");
// Exit explicitly: an idle pool or a watched stdin must not keep a finished command alive.
process.exit(await main(process.argv.slice(2)));
