import type { Actor } from "@/lib/auth/actor";
import { listApps } from "@/lib/apps/list-apps";
import { listCustomers } from "@/lib/customers/list-customers";
import { toCustomerDto, type CustomerDto } from "@/lib/customers/customer-dto";
import type { ListCustomersPageQuery } from "@/lib/customers/list-page-query";
import { getLicenseStatus } from "@/lib/licenses/license-status";

/** A customer as the list shows it: the API's DTO plus its app and status label. */
export type CustomerRow = CustomerDto & { appName: string; statusLabel: string };

export type CustomerPage = { customers: CustomerRow[]; total: number; page: number; pageSize: number };

export const CUSTOMER_PAGE_SIZE = 25;

/**
 * One page of the portal's customer list: what /api/portal/customers answers
 * and what the Customers page renders on the server, so the first rows are in
 * the HTML instead of waiting for the browser to fetch them.
 */
export async function listCustomerPage(actor: Pick<Actor, "teamId">, query: ListCustomersPageQuery): Promise<CustomerPage> {
  const [result, apps] = await Promise.all([listCustomers(actor, { ...query, page: query.page ?? 1, limit: query.limit ?? CUSTOMER_PAGE_SIZE }), listApps(actor)]);
  const appNames = new Map(apps.map((a) => [a.id, a.name]));
  const now = new Date();
  return {
    customers: result.customers.map((c) => ({
      ...toCustomerDto(c, now),
      appName: appNames.get(c.appId) ?? "",
      statusLabel: getLicenseStatus({ expiresAt: c.license.expiresAt, registryAccess: c.license.registryAccess, archivedAt: c.archivedAt }, now).label,
    })),
    total: result.total ?? 0,
    page: result.page ?? 1,
    pageSize: result.pageSize,
  };
}
