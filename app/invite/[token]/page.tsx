import type { Metadata } from "next";
import Link from "next/link";
import { Logo } from "@/components/portal/logo";
import { Card, CardContent } from "@/components/ui/card";
import { FormNotice } from "@/components/auth/form-notice";
import { InvitationAnswerForm } from "@/components/auth/invitation-answer-form";
import { getSignedInUser } from "@/lib/auth/session";
import { findInvitationByToken } from "@/lib/invitations/find-invitation";

export const metadata: Metadata = { title: "Invitation · Pullgate" };
export const dynamic = "force-dynamic";

const GONE = {
  accepted: "This invitation was already accepted: its link works once.",
  declined: "This invitation was declined: its link works once. Ask the team for a new invitation if you change your mind.",
  revoked: "This invitation was revoked. Ask the team for a new one.",
  expired: "This invitation has expired: links work for 7 days. Ask the team for a new one.",
} as const;

/** Where an invitation email's link lands: sign in or sign up as the invited address, then accept or decline. */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [invitation, user] = await Promise.all([findInvitationByToken(token), getSignedInUser()]);
  const here = `/invite/${token}`;

  let body: React.ReactNode;
  if (!invitation) {
    body = <FormNotice title="This invitation link is not valid.">Check that the whole link was copied from the email.</FormNotice>;
  } else if (invitation.status !== "pending") {
    body = <FormNotice title="This invitation can no longer be used.">{GONE[invitation.status]}</FormNotice>;
  } else {
    body = (
      <div className="grid gap-5">
        <p className="text-sm text-zinc-600">
          <span className="font-medium text-zinc-900">{invitation.invitedBy}</span> invited <span className="font-medium text-zinc-900">{invitation.email}</span> to
          join <span className="font-medium text-zinc-900" data-testid="invitation-team">{invitation.teamName}</span> as{" "}
          <span className="font-medium text-zinc-900" data-testid="invitation-role">{invitation.role}</span>.
        </p>
        {!user ? (
          <div className="grid gap-2 text-sm">
            <Link href={`/signup?invitation=${token}`} className="rounded-md bg-zinc-900 px-4 py-2 text-center font-medium text-white hover:bg-zinc-800">
              Create an account
            </Link>
            <Link href={`/signin?next=${encodeURIComponent(here)}`} className="rounded-md border border-zinc-300 px-4 py-2 text-center font-medium text-zinc-900 hover:bg-zinc-50">
              I have an account: sign in
            </Link>
          </div>
        ) : user.email !== invitation.email ? (
          <FormNotice title={`You are signed in as ${user.email}.`}>
            This invitation is for {invitation.email}: sign out, then open the link again and sign in with that address.
          </FormNotice>
        ) : (
          <InvitationAnswerForm token={token} />
        )}
      </div>
    );
  }

  return (
    <div className="flex min-h-dvh flex-col items-center justify-center bg-zinc-50 px-4 py-12">
      <Logo className="mb-8" />
      <Card className="w-full max-w-[440px] shadow-sm">
        <CardContent className="px-6 py-7 sm:px-8">
          <h1 className="mb-4 text-xl font-semibold tracking-tight">Team invitation</h1>
          {body}
        </CardContent>
      </Card>
    </div>
  );
}
