import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { RegistryProvider } from "@/lib/generated/prisma/enums";
import { registryRecordSelect } from "@/lib/registries/registry-record-select";

// The rows every proxy request is authorized against, cached per process for
// a moment. The cache is emptied whenever the change listener reports a write
// (LISTEN/NOTIFY); while notifications are unavailable entries live ≤ 1 s.

export type LicenseRecord = {
  /** The License row's internal id: what tokens refer to (never the license ID itself). */
  id: string;
  licenseId: string;
  teamId: string;
  expiresAt: Date | null;
  registryAccess: boolean;
  imagePatterns: string[];
  customer: { id: string; name: string; email: string | null; archivedAt: Date | null; appId: string };
};

export type AppRecord = { id: string; teamId: string; slug: string };

/** A verified custom domain: the proxy serves its team's apps (or only appId) on it. */
export type DomainRecord = { teamId: string; appId: string | null };

export type RegistryRecord = {
  id: string;
  provider: RegistryProvider;
  endpoint: string;
  name: string | null;
  username: string;
  secretCiphertext: string;
  allowHttp: boolean;
  allApps: boolean;
  appIds: string[];
  updatedAt: Date;
};

const LICENSE_SELECT = {
  id: true,
  licenseId: true,
  teamId: true,
  expiresAt: true,
  registryAccess: true,
  imagePatterns: true,
  customer: { select: { id: true, name: true, email: true, archivedAt: true, appId: true } },
} as const;

const NOTIFIED_TTL_MS = 30_000;
const FALLBACK_TTL_MS = 1_000;
const MAX_ENTRIES = 50_000;
/**
 * Share of its life after which an entry that is asked for is read again in
 * the background while still answered: a busy license's requests then never
 * all wait at once for the read that replaces it.
 */
const REFRESH_AHEAD_SHARE = 0.75;

type Entry<T> = { value: T; at: number; pending?: Promise<T>; refreshing?: boolean };

export class AuthorizationData {
  private readonly entries = new Map<string, Entry<unknown>>();
  private generation = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly notificationsHealthy: () => boolean,
  ) {}

  /** Drops everything: called on every change notification. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /**
   * The license with this license ID (a customer's password). Misses are not
   * kept: a flood of made-up IDs would otherwise push every real entry out.
   */
  license(licenseId: string): Promise<LicenseRecord | null> {
    return this.cached(`l:${licenseId}`, () => this.prisma.license.findUnique({ where: { licenseId }, select: LICENSE_SELECT }), { keepMisses: false });
  }

  /** The license with this row id (the reference a token carries). */
  licenseByRef(id: string): Promise<LicenseRecord | null> {
    return this.cached(`lr:${id}`, () => this.prisma.license.findUnique({ where: { id }, select: LICENSE_SELECT }));
  }

  app(slug: string): Promise<AppRecord | null> {
    return this.cached(`a:${slug}`, () => this.prisma.app.findUnique({ where: { slug }, select: { id: true, teamId: true, slug: true } }));
  }

  /** The verified custom domain with this host name, or null (pending, failed and unknown names alike). */
  domain(hostname: string): Promise<DomainRecord | null> {
    return this.cached(`d:${hostname}`, () =>
      this.prisma.customDomain.findFirst({ where: { hostname, status: "verified" }, select: { teamId: true, appId: true } }),
    );
  }

  registries(teamId: string): Promise<RegistryRecord[]> {
    return this.cached(`r:${teamId}`, async () => {
      const rows = await this.prisma.registryCredential.findMany({
        where: { teamId },
        orderBy: { createdAt: "asc" },
        select: registryRecordSelect,
      });
      return rows.map(({ apps, ...r }) => ({ ...r, appIds: apps.map((a) => a.id) }));
    });
  }

  private async cached<T>(key: string, load: () => Promise<T>, options: { keepMisses?: boolean } = {}): Promise<T> {
    const ttl = this.notificationsHealthy() ? NOTIFIED_TTL_MS : FALLBACK_TTL_MS;
    const now = Date.now();
    const hit = this.entries.get(key) as Entry<T> | undefined;
    if (hit && now - hit.at < ttl) {
      if (hit.pending) return hit.pending;
      if (now - hit.at >= ttl * REFRESH_AHEAD_SHARE && !hit.refreshing) {
        hit.refreshing = true;
        // A failed refresh leaves the entry to run out; the next miss reads again.
        this.load(key, load, options).catch(() => {
          hit.refreshing = false;
        });
      }
      return hit.value;
    }
    const pending = this.load(key, load, options);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    // Concurrent misses share one query.
    this.entries.set(key, { value: undefined as T, at: now, pending });
    return pending;
  }

  /** Reads the row(s) and keeps the answer, unless a change notification came meanwhile. */
  private load<T>(key: string, load: () => Promise<T>, options: { keepMisses?: boolean }): Promise<T> {
    const generation = this.generation;
    const at = Date.now();
    return load().then(
      (value) => {
        if (this.generation === generation && (value !== null || options.keepMisses !== false)) this.entries.set(key, { value, at });
        else this.entries.delete(key);
        return value;
      },
      (err) => {
        if (this.entries.get(key)?.pending) this.entries.delete(key);
        throw err;
      },
    );
  }
}
