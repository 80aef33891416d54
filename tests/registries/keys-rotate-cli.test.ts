import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createPrisma } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { decryptSecret, encryptSecret, loadKeyring } from "@/lib/secrets/crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { createScratchDatabase } from "@/tests/db/scratch-database";

// `pullgate keys rotate` as an operator runs it, against a database of its
// own (other suites' rows are sealed with their own test keys).

const run = promisify(execFile);
const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");
let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
let url: string;
let db: PrismaClient;

beforeAll(async () => {
  scratch = await createScratchDatabase(inject("adminDatabaseUrl"));
  url = scratch.url;
  await migrate({ databaseUrl: url, log: () => {} });
  db = createPrisma(url, 2);
});

afterAll(async () => {
  await db?.$disconnect();
  await scratch?.drop();
});

it("re-encrypts every registry secret with the new key", async () => {
  const oldRing = loadKeyring({ PULLGATE_SECRET_KEY: oldKey });
  const team = await db.team.create({ data: { name: "Rotate" } });
  for (const [i, secret] of ["first-Secret-1", "second-Secret-2"].entries()) {
    const sealed = encryptSecret(secret, oldRing);
    await db.registryCredential.create({
      data: {
        teamId: team.id,
        provider: "other",
        endpoint: `r${i}.example.com`,
        username: "u",
        secretCiphertext: sealed.ciphertext,
        secretKeyVersion: sealed.keyVersion,
      },
    });
  }
  const env = { ...process.env, DATABASE_URL: url, PULLGATE_SECRET_KEY: newKey, PULLGATE_SECRET_KEY_PREVIOUS: oldKey };
  const { stdout } = await run(process.execPath, ["bin/pullgate.mjs", "keys", "rotate"], { env });
  expect(stdout.trim()).toBe(
    "Re-encrypted 2 of 2 registry secrets with key version 2.\nRe-encrypted 0 two-factor and single sign-on secrets.\nRe-encrypted 0 of 0 license signing keys and 0 of 0 webhook secrets.",
  );
  expect(stdout).not.toContain("Secret-");

  const newOnly = loadKeyring({ PULLGATE_SECRET_KEY: newKey });
  const rows = await db.registryCredential.findMany({ orderBy: { endpoint: "asc" } });
  expect(rows.map((r) => decryptSecret(r.secretCiphertext, newOnly))).toEqual(["first-Secret-1", "second-Secret-2"]);
  expect(rows.map((r) => r.secretKeyVersion)).toEqual([2, 2]);

  // Without the old key the secrets it sealed cannot be opened: reported, exit code 1.
  const third = randomBytes(32).toString("base64");
  const failed = await run(process.execPath, ["bin/pullgate.mjs", "keys", "rotate"], {
    env: { ...env, PULLGATE_SECRET_KEY: third, PULLGATE_SECRET_KEY_PREVIOUS: "" },
  }).catch((err: { code: number; stdout: string; stderr: string }) => err);
  expect((failed as { code: number }).code).toBe(1);
  expect((failed as { stderr: string }).stderr).toMatch(/2 registry secret\(s\) could not be decrypted/);
});
