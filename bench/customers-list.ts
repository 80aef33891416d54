import pg from "pg";
import { pathToFileURL } from "node:url";
import os from "node:os";
import { migrate } from "@/lib/db/migrate";

// Seeds 100,000 customers (with licenses) in one team of a fresh database,
// plus a second team as noise, then times listCustomers() server-side — the
// same function the portal list and GET /api/v1/customers call.
//   node --import tsx bench/customers-list.ts [--customers 100000] [--runs 30]

export type BenchCase = { name: string; p50Ms: number; p95Ms: number; rows: number; total: number | null };
export type BenchReport = { bench: string; customers: number; runs: number; seedMs: number; targetP50Ms: number; loadAverage: number[]; cases: BenchCase[] };

const WORDS_A = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Vandelay", "Massive", "Dunder", "Prestige", "Oscorp", "Gringotts", "Aperture", "Black Mesa", "Nakatomi"];
const WORDS_B = ["Labs", "Systems", "Industries", "Holdings", "Dynamics", "Logistics", "Partners", "Foods", "Energy", "Robotics", "Health", "Media", "Bank", "Studios", "Analytics"];

function sqlArray(words: string[]): string {
  return `ARRAY[${words.map((w) => `'${w}'`).join(",")}]`;
}

async function seed(client: pg.Client, teamId: string, appId: string, count: number, offset: number): Promise<void> {
  await client.query(
    `INSERT INTO "Customer" ("id","teamId","appId","name","email","customId","type","channel","archivedAt","createdAt","updatedAt")
     SELECT 'cus_' || $3::text || '_' || i,
            $1, $2,
            (${sqlArray(WORDS_A)})[1 + i % ${WORDS_A.length}] || ' ' || (${sqlArray(WORDS_B)})[1 + (i / ${WORDS_A.length}) % ${WORDS_B.length}] || ' ' || i,
            CASE WHEN i % 5 = 0 THEN NULL ELSE 'ops' || i || '@' || lower((${sqlArray(WORDS_A.map((w) => w.replace(" ", "")))})[1 + i % ${WORDS_A.length}]) || '.example' END,
            CASE WHEN i % 3 = 0 THEN NULL ELSE 'CRM-' || lpad(i::text, 7, '0') END,
            (ARRAY['dev','trial','paid','paid','paid','community'])[1 + i % 6]::"CustomerType",
            CASE WHEN i % 2 = 0 THEN 'stable' ELSE NULL END,
            CASE WHEN i % 23 = 0 THEN now() - (i % 100) * interval '1 day' ELSE NULL END,
            now() - i * interval '7 seconds',
            now()
     FROM generate_series($4::int, $5::int) AS i`,
    [teamId, appId, String(offset), offset + 1, offset + count],
  );
  await client.query(
    `INSERT INTO "License" ("id","teamId","customerId","licenseId","expiresAt","registryAccess","imagePatterns","entitlements","createdAt","updatedAt")
     SELECT 'lic_' || c."id", $1, c."id",
            left(md5(c."id") || md5(c."id" || 'x'), 27),
            CASE WHEN c."type" = 'community' OR n % 10 < 3 THEN NULL ELSE now() + ((n % 400) - 100) * interval '1 day' END,
            n % 17 <> 0,
            '{}', '{}', c."createdAt", now()
     FROM (SELECT "id", "type", "createdAt", split_part("id", '_', 3)::int AS n FROM "Customer" WHERE "teamId" = $1) c`,
    [teamId],
  );
}

function percentile(sorted: number[], p: number): number {
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[idx]! * 10) / 10;
}

export async function benchCustomersList(options: { customers?: number; runs?: number; log?: (line: string) => void } = {}): Promise<BenchReport> {
  const customers = options.customers ?? 100_000;
  const runs = options.runs ?? 30;
  const log = options.log ?? ((line: string) => console.log(line));
  const base = new URL(process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres");
  const dbName = `pullgate_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(base.toString());
  url.pathname = `/${dbName}`;
  const previousUrl = process.env.DATABASE_URL;
  process.env.DATABASE_URL = url.toString();

  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await migrate({ databaseUrl: url.toString(), log: () => {} });
    await client.connect();
    const t0 = performance.now();
    await client.query(`INSERT INTO "Team" ("id","name","updatedAt") VALUES ('team_bench','Bench',now()), ('team_noise','Noise',now())`);
    await client.query(
      `INSERT INTO "App" ("id","teamId","name","slug","updatedAt") VALUES ('app_bench','team_bench','Bench','bench-app',now()), ('app_noise','team_noise','Noise','noise-app',now())`,
    );
    await seed(client, "team_bench", "app_bench", customers, 0);
    await seed(client, "team_noise", "app_noise", Math.round(customers / 5), customers);
    // Four in five customers pulled at some point in the last 90 days (the proxy writes lastPullAt).
    await client.query(`UPDATE "Customer" SET "lastPullAt" = now() - (split_part("id", '_', 3)::int % 90) * interval '1 day' WHERE split_part("id", '_', 3)::int % 5 <> 0`);
    // A steady-state database has been vacuumed (visibility map set, stats fresh).
    await client.query(`VACUUM ANALYZE`);
    const seedMs = Math.round(performance.now() - t0);
    log(`seeded ${customers} customers (+${Math.round(customers / 5)} in another team) in ${seedMs} ms`);

    const { listCustomers } = await import("@/lib/customers/list-customers");
    const { getPrisma } = await import("@/lib/db/client");
    const actor = { teamId: "team_bench" };
    const someLicense = (
      await client.query<{ licenseId: string }>(`SELECT "licenseId" FROM "License" WHERE "teamId" = 'team_bench' ORDER BY "id" OFFSET 4321 LIMIT 1`)
    ).rows[0]!.licenseId;
    const firstPage = await listCustomers(actor, { sort: "name", limit: 25 });

    const cases: [string, Parameters<typeof listCustomers>[1]][] = [
      ["list: newest first, page 1 + total (UI)", { page: 1, limit: 25 }],
      ["list: newest first, keyset (API)", { limit: 25 }],
      ["list: by name, page 1 + total", { sort: "name", page: 1, limit: 25 }],
      ["list: by name, next cursor page", { sort: "name", limit: 25, cursor: firstPage.nextCursor ?? undefined }],
      ["list: by expiry, page 1 + total", { sort: "expiry", page: 1, limit: 25 }],
      ["list: page 40 (offset 975) + total", { page: 40, limit: 25 }],
      ["search: name fragment 'wonka' + total", { q: "wonka", page: 1, limit: 25 }],
      ["search: name fragment '4242' + total", { q: "4242", page: 1, limit: 25 }],
      ["search: email fragment 'ops777@' + total", { q: "ops777@", page: 1, limit: 25 }],
      ["search: custom ID 'CRM-0031' + total", { q: "CRM-0031", page: 1, limit: 25 }],
      ["search: license ID (exact) + total", { q: someLicense, page: 1, limit: 25 }],
      ["filter: status expired + total", { status: "expired", page: 1, limit: 25 }],
      ["filter: status expiring + total", { status: "expiring", page: 1, limit: 25 }],
      ["filter: status archived + total", { status: "archived", page: 1, limit: 25 }],
      ["filter: type trial + status active + total", { type: "trial", status: "active", page: 1, limit: 25 }],
      ["filter+search: active 'globex' by name + total", { status: "active", q: "globex", sort: "name", page: 1, limit: 25 }],
      ["filter: never pulled + total", { lastPull: "never", page: 1, limit: 25 }],
      ["filter: not pulled in 30 days + total", { lastPull: "over_30d", page: 1, limit: 25 }],
      ["filter: pulled in 30 days, active, by name + total", { lastPull: "within_30d", status: "active", sort: "name", page: 1, limit: 25 }],
    ];

    const results: BenchCase[] = [];
    for (const [name, opts] of cases) {
      let last = await listCustomers(actor, opts); // warm-up
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        last = await listCustomers(actor, opts);
        times.push(performance.now() - start);
      }
      times.sort((x, y) => x - y);
      const result = { name, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), rows: last.customers.length, total: last.total };
      results.push(result);
      log(`${name.padEnd(48)} p50 ${String(result.p50Ms).padStart(6)} ms   p95 ${String(result.p95Ms).padStart(6)} ms   rows ${result.rows}${result.total !== null ? ` of ${result.total}` : ""}`);
    }
    await getPrisma().$disconnect();
    // Timings on a shared machine depend on what else runs: report the load with them.
    const loadAverage = os.loadavg().map((l) => Math.round(l * 100) / 100);
    log(`load average ${loadAverage.join(" ")} on ${os.cpus().length} CPUs`);
    return { bench: "customers-list", customers, runs, seedMs, targetP50Ms: 150, loadAverage, cases: results };
  } finally {
    await client.end().catch(() => {});
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
    // BENCH_KEEP_DB=1 keeps the seeded database for EXPLAIN sessions.
    if (process.env.BENCH_KEEP_DB) log(`kept database ${dbName}`);
    else await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  benchCustomersList({ customers: arg("--customers"), runs: arg("--runs") }).then(
    (report) => {
      const worst = Math.max(...report.cases.map((c) => c.p50Ms));
      console.log(`worst p50 ${worst} ms (target ≤ ${report.targetP50Ms} ms): ${worst <= report.targetP50Ms ? "OK" : "OVER TARGET"}`);
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
