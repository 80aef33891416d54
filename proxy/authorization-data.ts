import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { RegistryProvider } from "@/lib/generated/prisma/enums";
import { registryRecordSelect } from "@/lib/registries/registry-record-select";
import { RefreshingMemo } from "./refreshing-memo";

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

export class AuthorizationData {
  private readonly memo = new RefreshingMemo<unknown>(MAX_ENTRIES);

  constructor(
    private readonly prisma: PrismaClient,
    private readonly notificationsHealthy: () => boolean,
  ) {}

  /** Drops everything: called on every change notification. */
  invalidate(): void {
    this.memo.clear();
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

  /** Kept 30 s (1 s while change notifications are unavailable), refreshed ahead, one query per key in flight (refreshing-memo.ts). */
  private cached<T>(key: string, load: () => Promise<T>, options: { keepMisses?: boolean } = {}): Promise<T> {
    const lifeMs = this.notificationsHealthy() ? NOTIFIED_TTL_MS : FALLBACK_TTL_MS;
    const keep = options.keepMisses === false ? (value: unknown) => value !== null : undefined;
    return this.memo.get(key, lifeMs, load, keep) as Promise<T>;
  }
}
