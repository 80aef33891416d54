import { NextResponse } from "next/server";
import { getSessionActor } from "@/lib/auth/session";
import { getPatternPreviewData } from "@/lib/catalog/app-catalog";
import { errorToResponse } from "@/lib/api/error-to-response";
import { UnauthenticatedError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/** The image-pattern editor's preview data (React Query fetches it): session-authenticated, team-scoped. */
export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const url = new URL(request.url);
  try {
    const actor = await getSessionActor();
    if (!actor) throw new UnauthenticatedError("Sign in to the portal first.");
    const { id } = await context.params;
    return NextResponse.json(await getPatternPreviewData(actor, id), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return errorToResponse(error, { method: request.method, path: url.pathname });
  }
}
