import type { CustomDomain } from "@/lib/generated/prisma/client";
import { defaultProxyHostName } from "@/lib/domains/host-name";
import { challengeRecordName } from "@/lib/domains/check-domain-dns";

export type DomainStatusName = "pending" | "verified" | "failed";

export type DomainDto = {
  id: string;
  hostname: string;
  appId: string | null;
  status: DomainStatusName;
  /** The record that proves ownership. */
  verification: { type: "TXT"; name: string; value: string };
  /** Where the vendor's CNAME should point: the default proxy host name. */
  cnameTarget: string;
  /** Set when the CNAME was missing or pointed elsewhere at the last check. */
  cnameWarning: string | null;
  verifiedAt: string | null;
  lastCheckedAt: string | null;
  failureReason: string | null;
  isDefault: boolean;
};

type DomainRow = Pick<
  CustomDomain,
  "id" | "hostname" | "appId" | "status" | "verificationToken" | "verifiedAt" | "lastCheckedAt" | "failureReason" | "cnameWarning" | "isDefault"
>;

export function toDomainDto(domain: DomainRow): DomainDto {
  return {
    id: domain.id,
    hostname: domain.hostname,
    appId: domain.appId,
    status: domain.status,
    verification: { type: "TXT", name: challengeRecordName(domain.hostname), value: domain.verificationToken },
    cnameTarget: defaultProxyHostName(),
    cnameWarning: domain.cnameWarning,
    verifiedAt: domain.verifiedAt?.toISOString() ?? null,
    lastCheckedAt: domain.lastCheckedAt?.toISOString() ?? null,
    failureReason: domain.failureReason,
    isDefault: domain.isDefault,
  };
}
