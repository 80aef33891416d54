import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { signIn } from "@/lib/auth/auth";
import { TEAM_COOKIE } from "@/lib/auth/session";
import { finishSsoLogin } from "@/lib/sso/sso-login";

const NOTICE: Record<string, string> = {
  domain_refused: "sso-domain",
  email_unverified: "sso-domain",
  account_not_member: "sso-account",
};

// GET /sso/<teamId>/callback: the identity provider sends the browser back here.
export async function GET(request: Request, context: { params: Promise<{ teamId: string }> }): Promise<Response> {
  const { teamId } = await context.params;
  if (!/^[a-z0-9]{1,40}$/.test(teamId)) redirect("/signin?notice=sso-failed");
  const result = await finishSsoLogin(teamId, new URL(request.url));
  if (!result.ok) redirect(`/signin?notice=${NOTICE[result.reason] ?? "sso-failed"}`);
  (await cookies()).set(TEAM_COOKIE, teamId, { httpOnly: true, sameSite: "lax", path: "/", maxAge: 60 * 60 * 24 * 365 });
  // Auth.js issues the session (Credentials provider, ssoTicket).
  await signIn("credentials", { ssoTicket: result.ticket, redirectTo: "/dashboard" });
  return new Response(null, { status: 204 });
}
