// The customer types and the list's filter and sort values, without zod: the
// customers list (a client component) needs these names, not the schemas, and
// zod would add ~110 kB of script to the page (lib/customers/schemas.ts
// re-exports them for everything else).

export const customerTypes = ["dev", "trial", "paid", "community", "test"] as const;
export type CustomerTypeValue = (typeof customerTypes)[number];

export const customerStatusFilters = ["active", "expiring", "expired", "disabled", "archived"] as const;
export type CustomerStatusFilter = (typeof customerStatusFilters)[number];
export const customerSorts = ["name", "created", "expiry"] as const;
export type CustomerSort = (typeof customerSorts)[number];
/** within_30d: pulled in the last 30 days; over_30d: not in the last 30 days (never pulled included); never: no pull yet. */
export const customerLastPullFilters = ["within_30d", "over_30d", "never"] as const;
export type CustomerLastPullFilter = (typeof customerLastPullFilters)[number];
