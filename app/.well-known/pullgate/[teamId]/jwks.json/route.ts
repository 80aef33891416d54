import { prisma } from "@/lib/db/client";
import { errorToResponse } from "@/lib/api/error-to-response";
import { errorResponse } from "@/lib/api/responses";
import { publicJwksOfTeam } from "@/lib/signing-keys/published-keys";

export const dynamic = "force-dynamic";

/** A team's license-signing public keys, unauthenticated (the proxy host serves the same). */
export async function GET(request: Request, context: { params: Promise<{ teamId: string }> }): Promise<Response> {
  try {
    const { teamId } = await context.params;
    const jwks = await publicJwksOfTeam(prisma, teamId);
    if (!jwks) return errorResponse(404, "not_found", "Team not found.");
    return new Response(JSON.stringify(jwks), {
      status: 200,
      headers: { "content-type": "application/jwk-set+json", "cache-control": "public, max-age=300" },
    });
  } catch (error) {
    return errorToResponse(error, { method: "GET", path: new URL(request.url).pathname });
  }
}
