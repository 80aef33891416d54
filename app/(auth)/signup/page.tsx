import type { Metadata } from "next";
import { Card, CardContent } from "@/components/ui/card";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { findInvitationByToken } from "@/lib/invitations/find-invitation";

export const metadata: Metadata = { title: "Create an account · Pullgate" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ invitation?: string }> }) {
  const { invitation: token } = await searchParams;
  // From an invitation's link: the account joins that team (after accepting) instead of creating one.
  const invitation = typeof token === "string" ? await findInvitationByToken(token) : null;
  const invited = invitation?.status === "pending" ? { token: token!, email: invitation.email, teamName: invitation.teamName } : undefined;
  return (
    <Card className="shadow-sm">
      <CardContent className="px-6 py-7 sm:px-8">
        <div className="mb-6 text-center">
          <h1 className="text-xl font-semibold tracking-tight">Create your account</h1>
          <p className="mt-1 text-sm text-zinc-500">
            {invited ? `Then accept the invitation to join ${invited.teamName}.` : "You will be the owner of a new team."}
          </p>
        </div>
        <SignUpForm invitation={invited} />
      </CardContent>
    </Card>
  );
}
