import { getSessionActor } from "@/lib/auth/session";
import { errorToResponse } from "@/lib/api/error-to-response";
import { UnauthenticatedError } from "@/lib/errors";
import { exportPullsQuerySchema } from "@/lib/pulls/schemas";
import { pullsCsvResponse } from "@/lib/pulls/csv-response";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";

export const dynamic = "force-dynamic";

/** The Pulls page's "Export CSV" link: the API's export with the portal session instead of a token. */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  try {
    const actor = await getSessionActor();
    if (!actor) throw new UnauthenticatedError("Sign in to the portal first.");
    return pullsCsvResponse(actor, parseOrThrow(exportPullsQuerySchema, Object.fromEntries(url.searchParams)));
  } catch (error) {
    return errorToResponse(error, { method: request.method, path: url.pathname });
  }
}
