import type { CustomerWithLicense } from "@/lib/customers/customer-dto";
import { getLicenseStatus } from "@/lib/licenses/license-status";

// What license events say about a license. The license ID is left out on
// purpose: it is the customer's registry password (as in the audit log);
// receivers look the customer up by id.

export function licenseEventData(customer: CustomerWithLicense, appSlug: string, now = new Date()): Record<string, unknown> {
  const { license } = customer;
  return {
    customer: { id: customer.id, name: customer.name, customId: customer.customId, type: customer.type },
    appSlug,
    license: {
      expiresAt: license.expiresAt?.toISOString() ?? null,
      registryAccess: license.registryAccess,
      imagePatterns: license.imagePatterns,
      entitlements: license.entitlements ?? {},
      status: getLicenseStatus({ expiresAt: license.expiresAt, registryAccess: license.registryAccess, archivedAt: customer.archivedAt }, now).status,
    },
  };
}
