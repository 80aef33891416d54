import { getSessionActor } from "@/lib/auth/session";
import { errorToResponse } from "@/lib/api/error-to-response";
import { UnauthenticatedError } from "@/lib/errors";
import { getCustomerLicenseFile, licenseFileResponse } from "@/lib/customers/get-customer-license-file";

export const dynamic = "force-dynamic";

/** The customer page's "Download license file": session-authenticated, team-scoped. */
export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const actor = await getSessionActor();
    if (!actor) throw new UnauthenticatedError("Sign in to the portal first.");
    const { id } = await context.params;
    return licenseFileResponse(await getCustomerLicenseFile(actor, id));
  } catch (error) {
    return errorToResponse(error, { method: "GET", path: new URL(request.url).pathname });
  }
}
