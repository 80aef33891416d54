import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { verifyApiToken } from "@/lib/api-tokens/verify-api-token";
import { disconnectPrisma } from "@/lib/db/client";
import { findRunningEmbedded, spawnEmbeddedServer } from "@/lib/db/embedded";
import { tryLockFile } from "@/lib/utils/file-lock";

const root = path.resolve(import.meta.dirname, "../..");
const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function pullgate(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const fullEnv = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete fullEnv[k];
    const child = spawn(process.execPath, [path.join(root, "bin/pullgate.mjs"), ...args], { cwd: root, env: fullEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs fn with the process-wide Prisma client pointed at another database. */
async function withPrismaAt<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.DATABASE_URL;
  await disconnectPrisma();
  process.env.DATABASE_URL = url;
  try {
    return await fn();
  } finally {
    // The next use reopens a client for the restored DATABASE_URL.
    await disconnectPrisma();
    process.env.DATABASE_URL = saved;
  }
}

const newEmail = () => `cli-${randomUUID().slice(0, 8)}@example.com`;

describe("pullgate CLI with DATABASE_URL", () => {
  const env = { DATABASE_URL: inject("databaseUrl") };

  it("creates a vendor and an API token that authenticates as the owner", async () => {
    const email = newEmail();
    const vendor = await pullgate(["vendor", "create", "--email", email.toUpperCase(), "--password", "s3cret-pass", "--team", "CLI Co", "--name", "Ada"], env);
    expect(vendor.code, vendor.stderr).toBe(0);
    expect(vendor.stdout).toContain(`Created vendor ${email} as owner of team "CLI Co"`);

    const token = await pullgate(["token", "create", "--email", email, "--name", "deploy"], env);
    expect(token.code, token.stderr).toBe(0);
    const raw = token.stdout.trim();
    expect(raw).toMatch(/^pgt_\w{8}_\w{40}$/);
    expect(token.stderr).toContain("shown only once");
    const actor = await verifyApiToken(raw);
    expect(actor).toMatchObject({ role: "owner", label: "API token deploy" });
  });

  it("explains mistakes with exit codes: 1 for refused input, 2 for wrong usage", async () => {
    const email = newEmail();
    expect((await pullgate(["vendor", "create", "--email", email, "--password", "s3cret-pass", "--team", "A"], env)).code).toBe(0);
    const dup = await pullgate(["vendor", "create", "--email", email, "--password", "s3cret-pass", "--team", "B"], env);
    expect(dup).toMatchObject({ code: 1 });
    expect(dup.stderr).toContain("An account with this email already exists.");

    const weak = await pullgate(["vendor", "create", "--email", newEmail(), "--password", "short", "--team", "B"], env);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("--password: Password must be at least 10 characters.");

    const missing = await pullgate(["vendor", "create", "--email", email], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Missing --password[\s\S]*Usage: pullgate/);

    const unknown = await pullgate(["token", "create", "--email", "nobody@example.com", "--name", "x"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("User nobody@example.com not found.");

    expect((await pullgate(["frobnicate"], env)).code).toBe(2);
  });
});

describe("pullgate CLI with the embedded database", () => {
  it("works when nothing is running (opens and closes the data directory) and next to a running server", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-cli-"));
    tempDirs.push(dataDir);
    const env = { DATABASE_URL: undefined, PULLGATE_DATA_DIR: dataDir };
    const email = newEmail();

    // Nothing running: the command opens the database itself (migrating a new
    // one first) and closes it after.
    const vendor = await pullgate(["vendor", "create", "--email", email, "--password", "s3cret-pass", "--team", "Embedded Co"], env);
    expect(vendor.code, vendor.stderr).toBe(0);
    expect(await findRunningEmbedded(dataDir)).toBeNull();
    // The lock file stays (removing it would race), but nobody holds it any more.
    const lock = tryLockFile(path.join(dataDir, "embedded.lock"));
    expect(lock).not.toBeNull();
    lock?.release();

    // A server is running (as under `pullgate start`): the CLI goes through it.
    const server = await spawnEmbeddedServer(dataDir);
    try {
      const token = await pullgate(["token", "create", "--email", email, "--name", "embedded"], env);
      expect(token.code, token.stderr).toBe(0);
      expect(await findRunningEmbedded(dataDir)).toMatchObject({ pid: server.child.pid });
      const actor = await withPrismaAt(server.info.url, () => verifyApiToken(token.stdout.trim()));
      expect(actor).toMatchObject({ role: "owner", label: "API token embedded" });
    } finally {
      await server.stop();
    }
  }, 180_000);
});
