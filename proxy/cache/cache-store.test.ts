import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CacheStore } from "./cache-store";

const KiB = 1024;
const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => fs.promises.rm(root, { recursive: true, force: true })));
});

/** Writes `size` bytes to a temporary file of the store and commits them under a fresh digest. */
async function commitBytes(store: CacheStore, size: number) {
  const temp = store.tempPath();
  await fs.promises.mkdir(path.dirname(temp), { recursive: true });
  await fs.promises.writeFile(temp, randomBytes(size));
  return store.commit("ns", `sha256:${randomBytes(32).toString("hex")}`, temp, size, { repositories: ["acme/app"] });
}

describe("CacheStore.commit", () => {
  it("makes room before the file appears: what it evicts is gone from the disk when it returns", async () => {
    const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-cache-store-"));
    roots.push(root);
    const store = await CacheStore.open({ root, maxBytes: 100 * KiB });
    const first = await commitBytes(store, 60 * KiB);
    const second = await commitBytes(store, 60 * KiB); // over the bound with the first: it goes
    expect(fs.existsSync(first.path)).toBe(false);
    expect(fs.existsSync(`${first.path}.meta.json`)).toBe(false);
    expect((await fs.promises.stat(second.path)).size).toBe(60 * KiB);
    expect(store.list().map((entry) => entry.key)).toEqual([second.key]);
    expect(store.bytes).toBe(60 * KiB);
  });
});
