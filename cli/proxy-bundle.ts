import fs from "node:fs";
import path from "node:path";
import { PROXY_V8_FLAGS } from "@/proxy/process-env";

// The production proxy runs from one esbuild bundle of proxy/main.ts, not
// through tsx: tsx's loader keeps a second thread with its own V8 isolate and
// transpiles every file at start-up, about 30 MiB of resident memory for
// nothing once the code is compiled. npm packages stay external (resolved from
// node_modules at run time); our TypeScript, including the generated Prisma
// client, is bundled. `npm run build` writes the bundle; `pullgate start`
// rewrites it when a source it was built from has changed since.

const ROOT = path.resolve(import.meta.dirname, "..");
export const PROXY_SOURCE = path.join(ROOT, "proxy/main.ts");
export const PROXY_BUNDLE = path.join(ROOT, "dist/proxy/main.mjs");
// The portal's server (Next.js behind the request gate) is bundled the same way, for the same reason.
export const PORTAL_SERVER_SOURCE = path.join(ROOT, "portal-server/main.ts");
export const PORTAL_SERVER_BUNDLE = path.join(ROOT, "dist/portal-server/main.mjs");
const INPUTS_FILE = "inputs.json";

/**
 * Code that finds files relative to its own source file resolves against the
 * bundle's directory once bundled: refused, so it cannot slip in unnoticed.
 * The generated Prisma client only sets a global __dirname it never reads.
 */
const FILE_RELATIVE = /\bimport\.meta\.(?:url|dirname|filename)\b|\b__dirname\b|\b__filename\b/;
const FILE_RELATIVE_ALLOWED = ["lib/generated/"];

/** Node arguments that run the proxy from entry: a bundle (.mjs/.js) directly, TypeScript through tsx. */
export function proxyNodeArgs(entry: string): string[] {
  // Bundles carry a source map: stack traces name proxy/*.ts and lib/*.ts lines.
  return entry.endsWith(".ts") ? [...PROXY_V8_FLAGS, "--import", "tsx", entry] : [...PROXY_V8_FLAGS, "--enable-source-maps", entry];
}

/**
 * Bundles proxy/main.ts into outfile (+ .map, + inputs.json listing the
 * sources, which proxyBundleState compares against). Files are written under
 * temporary names and renamed, so a proxy starting at the same time never reads
 * half a bundle. outfile must lie inside the repository: the bundle imports npm
 * packages from node_modules.
 */
export async function bundleProxy(outfile = PROXY_BUNDLE, source = PROXY_SOURCE): Promise<{ outfile: string; inputs: string[] }> {
  outfile = path.resolve(ROOT, outfile);
  const startedAt = new Date();
  // Loaded here, not at the top: every other pullgate command imports this module through cli/start.ts.
  const { build, stop } = await import("esbuild");
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20.19",
      packages: "external",
      sourcemap: "linked",
      // Stack traces need the mappings, not a second copy of the sources.
      sourcesContent: false,
      metafile: true,
      write: false,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith("node_modules/"));
    const offending = inputs.filter(
      (file) => !FILE_RELATIVE_ALLOWED.some((prefix) => file.startsWith(prefix)) && FILE_RELATIVE.test(fs.readFileSync(path.join(ROOT, file), "utf8")),
    );
    if (offending.length) {
      throw new Error(
        `${offending.join(", ")} locate${offending.length === 1 ? "s" : ""} files relative to the source file (import.meta.url/dirname, __dirname), ` +
          "which resolves against dist/proxy/ once bundled: pass the path in from the caller, or derive it from process.cwd().",
      );
    }
    const dir = path.dirname(outfile);
    fs.mkdirSync(dir, { recursive: true });
    // The bundling setup itself counts as an input: changing it makes bundles stale.
    const listed = [...inputs, path.relative(ROOT, import.meta.filename), "tsconfig.json"];
    const files = [
      ...result.outputFiles.map((f): { path: string; contents: Uint8Array | string } => ({ path: f.path, contents: f.contents })),
      { path: path.join(dir, INPUTS_FILE), contents: JSON.stringify(listed, null, 1) + "\n" },
    ];
    // The entry file last: its presence with a newer mtime is what marks the bundle complete.
    files.sort((a, b) => Number(a.path === outfile) - Number(b.path === outfile));
    for (const file of files) {
      const temporary = `${file.path}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, file.contents);
      fs.renameSync(temporary, file.path);
    }
    // Dated when the sources were read: a source saved during the build still reads as newer.
    fs.utimesSync(outfile, startedAt, startedAt);
    return { outfile, inputs: listed };
  } finally {
    // The esbuild service is a child process that would otherwise live as long as we do.
    await stop();
  }
}

export type ProxyBundleState = { fresh: true } | { fresh: false; reason: string };

/** Whether outfile exists and is newer than every source it was built from. */
export function proxyBundleState(outfile = PROXY_BUNDLE): ProxyBundleState {
  let builtAt: number;
  let inputs: string[];
  try {
    builtAt = fs.statSync(outfile).mtimeMs;
    inputs = JSON.parse(fs.readFileSync(path.join(path.dirname(outfile), INPUTS_FILE), "utf8")) as string[];
  } catch {
    return { fresh: false, reason: "no proxy bundle yet" };
  }
  for (const input of inputs) {
    let changedAt: number;
    try {
      changedAt = fs.statSync(path.join(ROOT, input)).mtimeMs;
    } catch {
      return { fresh: false, reason: `${input} is gone` };
    }
    if (changedAt > builtAt) return { fresh: false, reason: `${input} changed` };
  }
  return { fresh: true };
}
