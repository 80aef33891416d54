import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./proxy-cache";

// `npm run bench`: every benchmark in one run, printed as a table and saved
// as JSON in bench/results/<timestamp>.json. Each benchmark runs in its own
// child process (they set up their own databases and module-level clients).
//   npm run bench -- [--skip-customers-list] [--skip-proxy-cache] [--skip-image-patterns] [--skip-s3-store]
//                    [--blob-mib 256] [--rss-clients 64] [--wrk-seconds 8] [--strict]
//   npm run bench -- --portal-scale [--customers 100000] [--events 10000000]   (adds bench/portal-scale.ts:
//                    100k customers, 10M pull events, minutes of seeding; --only-portal-scale runs it alone)
// Every figure is printed with its target; a missed target makes the run exit
// non-zero only with --strict (a failed benchmark always does).

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const numberArg = (name: string) => {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(value) ? value : undefined;
};
const log = (line: string) => console.error(`[bench] ${line}`);

type Section = { title: string; rows: BenchRow[]; notes: string[] };

async function main(): Promise<number> {
  const startedAt = new Date();
  const results: Record<string, unknown> = {};
  const sections: Section[] = [];
  let failed = false;

  const portalScaleOnly = flag("only-portal-scale");
  if (flag("portal-scale") || portalScaleOnly) {
    log("portal at scale: 100k customers, 10M pull events, server and browser timings");
    try {
      const report = (await runChild("portal-scale")) as { seedSeconds: number; rows: BenchRow[]; notes: string[] };
      results.portalScale = report;
      sections.push({ title: `Portal at scale (seeded in ${report.seedSeconds} s)`, rows: report.rows, notes: report.notes });
    } catch (err) {
      failed = true;
      results.portalScale = { error: err instanceof Error ? err.message : String(err) };
      log(`portal scale bench failed: ${err instanceof Error ? err.message : err}`);
    }
  }

  if (!flag("skip-proxy-cache") && !portalScaleOnly) {
    log("proxy cache: upstream direct vs Distribution proxy vs Pullgate cold/warm");
    try {
      const report = (await runChild("proxy-cache")) as { blobMiB: number; durationSeconds: number; rows: BenchRow[]; notes: string[] };
      results.proxyCache = report;
      sections.push({ title: `Proxy and cache (${report.blobMiB} MiB blob, ${report.durationSeconds} s)`, rows: report.rows, notes: report.notes });
    } catch (err) {
      failed = true;
      results.proxyCache = { error: err instanceof Error ? err.message : String(err) };
      log(`proxy cache bench failed: ${err instanceof Error ? err.message : err}`);
    }
  }

  const customersListFile = path.join(import.meta.dirname, "customers-list.ts");
  if (!flag("skip-customers-list") && !portalScaleOnly && fs.existsSync(customersListFile)) {
    log("customers list (helper api's bench)");
    try {
      const report = (await runChild("customers-list")) as { targetP50Ms?: number; cases: { name: string; p50Ms: number; p95Ms: number }[] };
      results.customersList = report;
      const target = report.targetP50Ms;
      sections.push({
        title: "Customers list",
        rows: report.cases.flatMap((c) => [
          {
            figure: c.name,
            system: "p50",
            value: c.p50Ms,
            unit: "ms",
            ...(target ? { target: `≤ ${target} ms`, ratio: Math.round((c.p50Ms / target) * 100) / 100, pass: c.p50Ms <= target } : {}),
          },
          { figure: c.name, system: "p95", value: c.p95Ms, unit: "ms" },
        ]),
        notes: [],
      });
    } catch (err) {
      failed = true;
      results.customersList = { error: err instanceof Error ? err.message : String(err) };
      log(`customers list bench failed: ${err instanceof Error ? err.message : err}`);
    }
  }

  if (!flag("skip-image-patterns") && !portalScaleOnly) {
    log("image patterns: adversarial patterns at the limits against a 255-character name");
    try {
      const report = (await runChild("image-patterns")) as { rows: BenchRow[]; notes: string[] };
      results.imagePatterns = report;
      sections.push({ title: "Image pattern matching (one license, worst cases)", rows: report.rows, notes: report.notes });
    } catch (err) {
      failed = true;
      results.imagePatterns = { error: err instanceof Error ? err.message : String(err) };
      log(`image patterns bench failed: ${err instanceof Error ? err.message : err}`);
    }
  }

  if (!flag("skip-s3-store")) {
    log("S3 store: warm pull through the 307 to a presigned GET vs direct from the upstream");
    try {
      const report = (await runChild("s3-store")) as { blobMiB: number; rows: BenchRow[]; notes: string[] };
      results.s3Store = report;
      sections.push({ title: `S3 blob store (${report.blobMiB} MiB blob, s3rver on loopback)`, rows: report.rows, notes: report.notes });
    } catch (err) {
      failed = true;
      results.s3Store = { error: err instanceof Error ? err.message : String(err) };
      log(`S3 store bench failed: ${err instanceof Error ? err.message : err}`);
    }
  }

  for (const section of sections) printSection(section);
  const misses = sections.flatMap((section) => section.rows.filter((r) => r.pass === false));
  if (flag("strict") && misses.length) {
    console.log(`\n--strict: ${misses.length} target(s) missed.`);
    failed = true;
  }

  const dir = path.join(import.meta.dirname, "results");
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg() };
  await fs.promises.writeFile(file, JSON.stringify({ startedAt: startedAt.toISOString(), machine, results }, null, 2));
  console.log(`\nSaved ${path.relative(process.cwd(), file)}`);
  return failed ? 1 : 0;
}

/** Runs one benchmark in a fresh process (`--only <name>`), returning its report. */
async function runChild(name: string): Promise<unknown> {
  const out = path.join(os.tmpdir(), `pullgate-bench-${process.pid}-${name}.json`);
  const passThrough = ["blob-mib", "rss-clients", "wrk-seconds", "customers", "events"].flatMap((n) => (numberArg(n) !== undefined ? [`--${n}`, String(numberArg(n))] : []));
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--only", name, "--out", out, ...passThrough], { stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`${name} bench exited with ${code}`);
  try {
    return JSON.parse(await fs.promises.readFile(out, "utf8"));
  } finally {
    await fs.promises.rm(out, { force: true });
  }
}

/** In the child: run the named benchmark here and write its report. */
async function runOnly(name: string, out: string): Promise<number> {
  let report: unknown;
  if (name === "proxy-cache") {
    const { benchProxyCache } = await import("./proxy-cache");
    report = await benchProxyCache({ blobMiB: numberArg("blob-mib"), rssClients: numberArg("rss-clients"), wrkSeconds: numberArg("wrk-seconds"), log });
  } else if (name === "customers-list") {
    const mod = (await import("./customers-list")) as { benchCustomersList?: (o: { log?: (l: string) => void }) => Promise<unknown> };
    if (!mod.benchCustomersList) throw new Error("bench/customers-list.ts exports no benchCustomersList");
    report = await mod.benchCustomersList({ log });
  } else if (name === "portal-scale") {
    const { benchPortalScale } = await import("./portal-scale");
    // The notes keep the plans of the full-size run only: a quick --customers/--events run leaves them alone.
    const fullSize = numberArg("customers") === undefined && numberArg("events") === undefined;
    report = await benchPortalScale({ customers: numberArg("customers"), events: numberArg("events"), log, notesFile: fullSize ? path.join(import.meta.dirname, "notes", "portal-scale.md") : undefined });
  } else if (name === "image-patterns") {
    const { benchImagePatterns } = await import("./image-patterns");
    report = await benchImagePatterns({ log });
  } else if (name === "s3-store") {
    const { benchS3Store } = await import("./s3-store");
    report = await benchS3Store({ blobMiB: numberArg("blob-mib"), log });
  } else {
    throw new Error(`unknown bench ${name}`);
  }
  await fs.promises.writeFile(out, JSON.stringify(report));
  return 0;
}

function printSection(section: Section): void {
  const header = ["figure", "system", "value", "target", "ratio", "ok"];
  const table = section.rows.map((r) => [
    r.figure,
    r.system,
    `${r.value} ${r.unit}`,
    r.target ?? "",
    r.ratio !== undefined ? `${r.ratio}×` : "",
    r.pass === undefined ? "" : r.pass ? "yes" : "MISS",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  console.log(`\n${section.title}`);
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of table) console.log(line(row));
  const misses = section.rows.filter((r) => r.pass === false);
  console.log(misses.length ? `Misses: ${misses.map((r) => `${r.figure} (${r.system})`).join("; ")}` : "All targets met.");
  for (const note of section.notes) console.log(`- ${note}`);
}

const only = args.indexOf("--only");
const outIndex = args.indexOf("--out");
(only >= 0 && outIndex >= 0 ? runOnly(args[only + 1]!, args[outIndex + 1]!) : main()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
