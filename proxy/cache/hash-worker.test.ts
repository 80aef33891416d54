import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";

describe("createIncrementalHash", () => {
  it.each(["1", "0"])("PULLGATE_HASH_WORKER=%s gives the same sha256 as node:crypto, across batches", async (setting) => {
    process.env.PULLGATE_HASH_WORKER = setting;
    const { createIncrementalHash } = await import(`./hash-worker?worker=${setting}`);
    const data = randomBytes(3 * 1024 * 1024 + 12345);
    const hash = createIncrementalHash("sha256");
    for (let i = 0; i < data.length; i += 65536) hash.update(data.subarray(i, i + 65536));
    expect(await hash.digest()).toBe(createHash("sha256").update(data).digest("hex"));
    const aborted = createIncrementalHash("sha256");
    aborted.update(data.subarray(0, 100));
    aborted.abort();
  });
});
