import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// Tag → digest answers, per registry namespace, repository, tag and the set
// of manifest types accepted (a tag can resolve to an index for one client
// and a single manifest for another). `accept` is manifestAccept()'s
// canonical form, never a raw header: clients that order the same types
// differently share one answer (proxy/manifest-accept.ts). Kept in memory and written to <root>/<namespace>/tags/ so a
// restarted proxy can still answer from its last known digest while the
// upstream is down.

export type TagRecord = {
  digest: string;
  mediaType: string;
  size: number;
  /** When the upstream last confirmed (or gave) this digest, ms since epoch. */
  checkedAt: number;
};

/** Where tag answers live: this directory (TagCache) or Postgres for replicas (shared-tag-cache.ts). */
export type TagAnswers = Pick<TagCache, "get" | "set" | "delete">;

const MAX_MEMORY_ENTRIES = 100_000;

export class TagCache {
  private readonly memory = new Map<string, TagRecord>();
  private writes = 0;

  constructor(private readonly root: string) {}

  async get(namespace: string, repository: string, tag: string, accept: string): Promise<TagRecord | undefined> {
    const key = this.key(namespace, repository, tag, accept);
    const hit = this.memory.get(key);
    if (hit) return hit;
    try {
      const record = JSON.parse(await fs.promises.readFile(this.file(namespace, key), "utf8")) as TagRecord;
      if (typeof record.digest !== "string" || typeof record.checkedAt !== "number") return undefined;
      this.remember(key, record);
      return record;
    } catch {
      return undefined;
    }
  }

  async set(namespace: string, repository: string, tag: string, accept: string, record: TagRecord): Promise<void> {
    const key = this.key(namespace, repository, tag, accept);
    this.remember(key, record);
    const file = this.file(namespace, key);
    const temp = `${file}.${process.pid}.${++this.writes}.tmp`;
    try {
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(temp, JSON.stringify(record));
      await fs.promises.rename(temp, file);
    } catch {
      // Memory still has it; the disk copy only matters across restarts.
      await fs.promises.rm(temp, { force: true }).catch(() => {});
    }
  }

  async delete(namespace: string, repository: string, tag: string, accept: string): Promise<void> {
    const key = this.key(namespace, repository, tag, accept);
    this.memory.delete(key);
    await fs.promises.rm(this.file(namespace, key), { force: true }).catch(() => {});
  }

  private remember(key: string, record: TagRecord): void {
    if (this.memory.size >= MAX_MEMORY_ENTRIES) this.memory.clear();
    this.memory.set(key, record);
  }

  private key(namespace: string, repository: string, tag: string, accept: string): string {
    const hash = createHash("sha256").update(`${repository}\0${tag}\0${accept}`).digest("hex");
    return `${namespace}/${hash}`;
  }

  private file(namespace: string, key: string): string {
    return path.join(this.root, namespace, "tags", `${key.slice(namespace.length + 1)}.json`);
  }
}
