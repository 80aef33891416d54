import { redirect } from "next/navigation";
import { startSsoLogin } from "@/lib/sso/sso-login";
import { ssoLog } from "@/lib/sso/log";

// GET /sso/<teamId>/start: off to the team's identity provider.
export async function GET(_request: Request, context: { params: Promise<{ teamId: string }> }): Promise<Response> {
  const { teamId } = await context.params;
  let target: string;
  try {
    if (!/^[a-z0-9]{1,40}$/.test(teamId)) throw new Error("malformed team id");
    target = await startSsoLogin(teamId);
  } catch (err) {
    ssoLog.warn({ teamId, cause: (err as Error).message }, "single sign-on could not start");
    redirect("/signin?notice=sso-failed");
  }
  redirect(target);
}
