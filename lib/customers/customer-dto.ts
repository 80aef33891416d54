import type { Customer, License } from "@/lib/generated/prisma/client";
import { getLicenseStatus, type LicenseStatus } from "@/lib/licenses/license-status";

export type CustomerWithLicense = Customer & { license: License };

export type LicenseDto = {
  licenseId: string;
  expiresAt: string | null;
  registryAccess: boolean;
  imagePatterns: string[];
  entitlements: Record<string, string | number | boolean>;
  status: LicenseStatus;
};

export type CustomerDto = {
  id: string;
  appId: string;
  name: string;
  email: string | null;
  customId: string | null;
  type: Customer["type"];
  channel: string | null;
  archivedAt: string | null;
  createdAt: string;
  /** The customer's latest successful pull (the proxy updates it at most once a minute); null: never pulled. */
  lastPullAt: string | null;
  license: LicenseDto;
};

/** The fields of a customer (and its license) the API and client components may see. */
export function toCustomerDto(customer: CustomerWithLicense, now = new Date()): CustomerDto {
  const { license } = customer;
  return {
    id: customer.id,
    appId: customer.appId,
    name: customer.name,
    email: customer.email,
    customId: customer.customId,
    type: customer.type,
    channel: customer.channel,
    archivedAt: customer.archivedAt?.toISOString() ?? null,
    createdAt: customer.createdAt.toISOString(),
    lastPullAt: customer.lastPullAt?.toISOString() ?? null,
    license: {
      licenseId: license.licenseId,
      expiresAt: license.expiresAt?.toISOString() ?? null,
      registryAccess: license.registryAccess,
      imagePatterns: license.imagePatterns,
      entitlements: (license.entitlements ?? {}) as Record<string, string | number | boolean>,
      status: getLicenseStatus({ expiresAt: license.expiresAt, registryAccess: license.registryAccess, archivedAt: customer.archivedAt }, now)
        .status,
    },
  };
}
