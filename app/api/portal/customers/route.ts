import { NextResponse } from "next/server";
import { getSessionActor } from "@/lib/auth/session";
import { listApps } from "@/lib/apps/list-apps";
import { listCustomers } from "@/lib/customers/list-customers";
import { toCustomerDto } from "@/lib/customers/customer-dto";
import { listCustomersPageQuerySchema } from "@/lib/customers/list-page-query";
import { getLicenseStatus } from "@/lib/licenses/license-status";
import { errorToResponse } from "@/lib/api/error-to-response";
import { UnauthenticatedError } from "@/lib/errors";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import type { CustomerPage } from "@/components/customers/customer-row";

export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;

/** The portal's customer list (React Query fetches it): session-authenticated, team-scoped, page-numbered. */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  try {
    const actor = await getSessionActor();
    if (!actor) throw new UnauthenticatedError("Sign in to the portal first.");
    const query = parseOrThrow(listCustomersPageQuerySchema, Object.fromEntries(url.searchParams));
    const [result, apps] = await Promise.all([
      listCustomers(actor, { ...query, page: query.page ?? 1, limit: query.limit ?? PAGE_SIZE }),
      listApps(actor),
    ]);
    const appNames = new Map(apps.map((a) => [a.id, a.name]));
    const now = new Date();
    const body: CustomerPage = {
      customers: result.customers.map((c) => ({
        ...toCustomerDto(c, now),
        appName: appNames.get(c.appId) ?? "",
        statusLabel: getLicenseStatus({ expiresAt: c.license.expiresAt, registryAccess: c.license.registryAccess, archivedAt: c.archivedAt }, now).label,
      })),
      total: result.total ?? 0,
      page: result.page ?? 1,
      pageSize: result.pageSize,
    };
    return NextResponse.json(body, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return errorToResponse(error, { method: request.method, path: url.pathname });
  }
}
