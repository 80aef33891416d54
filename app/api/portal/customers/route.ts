import { NextResponse } from "next/server";
import { getSessionActor } from "@/lib/auth/session";
import { listCustomerPage } from "@/lib/customers/list-customer-page";
import { listCustomersPageQuerySchema } from "@/lib/customers/list-page-query";
import { errorToResponse } from "@/lib/api/error-to-response";
import { UnauthenticatedError } from "@/lib/errors";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";

export const dynamic = "force-dynamic";

/** The portal's customer list (React Query fetches it): session-authenticated, team-scoped, page-numbered. */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  try {
    const actor = await getSessionActor();
    if (!actor) throw new UnauthenticatedError("Sign in to the portal first.");
    const query = parseOrThrow(listCustomersPageQuerySchema, Object.fromEntries(url.searchParams));
    return NextResponse.json(await listCustomerPage(actor, query), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return errorToResponse(error, { method: request.method, path: url.pathname });
  }
}
