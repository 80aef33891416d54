// The fields whose changes the audit log records. The license ID is left out
// on purpose: it is the customer's pull password.
export const CUSTOMER_AUDIT_FIELDS = ["name", "email", "customId", "type", "channel", "archivedAt"] as const;
export const LICENSE_AUDIT_FIELDS = ["expiresAt", "registryAccess", "imagePatterns", "entitlements"] as const;
