import { config } from "@/lib/config";
import { parseOptions, UsageError } from "@/cli/usage";
import { CacheStore } from "@/proxy/cache/cache-store";
import { formatBytes, parseByteSize } from "@/lib/utils/byte-size";

// `pullgate cache [--prune] [--max-bytes SIZE]`: what the proxy's cache holds
// (PULLGATE_CACHE_DIR), and pruning it to a size, least recently used first.
// Safe next to a running proxy: a file it is streaming stays readable after
// removal (POSIX), and the proxy forgets entries whose file is gone.

export async function cacheCommand(args: string[]): Promise<number> {
  const values = parseOptions(args, { prune: { type: "boolean" }, "max-bytes": { type: "string" } });
  const maxBytes = values["max-bytes"] !== undefined ? readMaxBytes(values["max-bytes"]) : (config.cacheMaxBytes ?? 0);
  if (values.prune && !maxBytes && values["max-bytes"] === undefined) {
    throw new UsageError("--prune needs --max-bytes SIZE (or PULLGATE_CACHE_MAX_BYTES); --max-bytes 0 empties the cache.");
  }
  // Opening removes temporary files left by proxies that crashed.
  const store = await CacheStore.open({ root: config.cacheDir, maxBytes: 0 });
  try {
    console.log(`Cache directory: ${store.root}`);
    printSummary(store);
    if (values.prune) {
      const before = { count: store.count, bytes: store.bytes };
      const evicted = maxBytes === 0 ? evictAll(store) : store.enforceBound(maxBytes);
      await new Promise((r) => setTimeout(r, 50)); // removals run in the background
      console.log(`Pruned ${evicted} entr${evicted === 1 ? "y" : "ies"} (${formatBytes(before.bytes - store.bytes)}) to stay under ${formatBytes(maxBytes)}.`);
      printSummary(store);
    } else if (maxBytes && store.bytes > maxBytes) {
      console.log(`Over the bound of ${formatBytes(maxBytes)}: run with --prune to remove the least recently used entries.`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

function evictAll(store: CacheStore): number {
  // A bound of 1 byte removes every entry (0 means "unbounded" to the store).
  return store.enforceBound(1);
}

function printSummary(store: CacheStore): void {
  const byNamespace = new Map<string, { count: number; bytes: number }>();
  for (const entry of store.list()) {
    const n = byNamespace.get(entry.namespace) ?? { count: 0, bytes: 0 };
    n.count++;
    n.bytes += entry.size;
    byNamespace.set(entry.namespace, n);
  }
  console.log(`Entries: ${store.count}, size: ${formatBytes(store.bytes)}${config.cacheMaxBytes ? ` (bound ${formatBytes(config.cacheMaxBytes)})` : ""}`);
  for (const [namespace, n] of byNamespace) console.log(`  registry ${namespace}: ${n.count} entries, ${formatBytes(n.bytes)}`);
}

function readMaxBytes(text: string): number {
  const bytes = parseByteSize(text);
  if (bytes === null) throw new UsageError(`--max-bytes: cannot read "${text}" as a size (e.g. 500MiB, 20G, 1048576).`);
  return bytes;
}
