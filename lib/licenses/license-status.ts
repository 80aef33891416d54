// THE rule deciding whether a license may pull. Portal badges, the REST API,
// the customer list's SQL filters and the proxy all follow this one function.

export type LicenseStatus = "active" | "expired" | "disabled" | "archived";

export type LicenseStatusInput = {
  expiresAt: Date | string | null;
  registryAccess: boolean;
  /** The customer's archivedAt: archiving cuts registry access. */
  archivedAt: Date | string | null;
};

export type LicenseStatusResult = {
  status: LicenseStatus;
  /** "Active" | "Expires in N days" | "Expired" | "Access off" | "Archived" */
  label: string;
  mayPull: boolean;
  /** Why pulls are denied (sent by the proxy with DENIED); absent when mayPull. */
  reason?: string;
  /** Whole days left (rounded up) when the license is active and expires. */
  expiresInDays?: number;
};

/** Active licenses expiring within this many days show "Expires in N days". */
export const EXPIRING_SOON_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;

export const denyReasons = {
  archived: "customer is archived",
  disabled: "registry access is turned off for this license",
  expired: (expiresAt: Date) => `license expired on ${expiresAt.toISOString().slice(0, 10)}`,
} as const;

/** Precedence: archived > disabled (access off) > expired > active. */
export function getLicenseStatus(license: LicenseStatusInput, now: Date = new Date()): LicenseStatusResult {
  if (license.archivedAt !== null && license.archivedAt !== undefined) {
    return { status: "archived", label: "Archived", mayPull: false, reason: denyReasons.archived };
  }
  if (!license.registryAccess) {
    return { status: "disabled", label: "Access off", mayPull: false, reason: denyReasons.disabled };
  }
  if (license.expiresAt === null || license.expiresAt === undefined) {
    return { status: "active", label: "Active", mayPull: true };
  }
  const expiresAt = new Date(license.expiresAt);
  const msLeft = expiresAt.getTime() - now.getTime();
  if (Number.isNaN(msLeft) || msLeft <= 0) {
    return { status: "expired", label: "Expired", mayPull: false, reason: denyReasons.expired(expiresAt) };
  }
  const expiresInDays = Math.ceil(msLeft / DAY_MS);
  if (expiresInDays <= EXPIRING_SOON_DAYS) {
    const label = expiresInDays === 1 ? "Expires in 1 day" : `Expires in ${expiresInDays} days`;
    return { status: "active", label, mayPull: true, expiresInDays };
  }
  return { status: "active", label: "Active", mayPull: true, expiresInDays };
}
