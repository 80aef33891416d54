import type { Metadata } from "next";
import { Card, CardContent } from "@/components/ui/card";
import { FormNotice } from "@/components/auth/form-notice";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Sign in · Pullgate" };

// What the page says after a sign-up or after sessions were ended. The sign-up
// notice is the same whether or not the email already had an account.
const NOTICES: Record<string, { title: string; body: string }> = {
  "signed-up": {
    title: "Almost there: sign in to continue.",
    body: "Sign in with the email and password you just entered. If that email already had a Pullgate account, nothing new was created: sign in with that account's password.",
  },
  "password-changed": {
    title: "Your password was changed.",
    body: "Every session was signed out, this one too: sign in with your new password.",
  },
  "password-reset": {
    title: "Your password was reset.",
    body: "Every session was signed out: sign in with your new password.",
  },
  "sso-failed": {
    title: "Single sign-on did not complete.",
    body: "The sign-in through your company's identity provider failed or took too long. Try again from your team's sign-in link.",
  },
  "sso-domain": {
    title: "Single sign-on refused this account.",
    body: "Your identity provider did not confirm an email address in the domain this team allows.",
  },
  "sso-account": {
    title: "Single sign-on refused this account.",
    body: "Sign in with your password instead, or ask the team for an invitation.",
  },
  "signed-out-everywhere": {
    title: "You were signed out everywhere.",
    body: "Every browser that was signed in to your account has to sign in again.",
  },
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; notice?: string }> }) {
  const { next, notice } = await searchParams;
  const shown = typeof notice === "string" ? NOTICES[notice] : undefined;
  return (
    <Card className="shadow-sm">
      <CardContent className="px-6 py-7 sm:px-8">
        <div className="mb-6 text-center">
          <h1 className="text-xl font-semibold tracking-tight">Sign in to Pullgate</h1>
          <p className="mt-1 text-sm text-zinc-500">Manage who may pull your images.</p>
        </div>
        {shown ? (
          <div className="mb-4">
            <FormNotice title={shown.title}>{shown.body}</FormNotice>
          </div>
        ) : null}
        <SignInForm next={typeof next === "string" ? next : undefined} />
      </CardContent>
    </Card>
  );
}
