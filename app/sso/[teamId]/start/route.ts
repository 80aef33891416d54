import { redirect } from "next/navigation";
import { startSsoLogin } from "@/lib/sso/sso-login";

// GET /sso/<teamId>/start: off to the team's identity provider.
export async function GET(_request: Request, context: { params: Promise<{ teamId: string }> }): Promise<Response> {
  const { teamId } = await context.params;
  let target: string;
  try {
    if (!/^[a-z0-9]{1,40}$/.test(teamId)) throw new Error("malformed team id");
    target = await startSsoLogin(teamId);
  } catch (err) {
    console.error("sso start failed", (err as Error).message);
    redirect("/signin?notice=sso-failed");
  }
  redirect(target);
}
