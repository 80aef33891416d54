import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Logo } from "@/components/portal/logo";
import { Card, CardContent } from "@/components/ui/card";
import { FormNotice } from "@/components/auth/form-notice";
import { DisableTwoFactorForm, TwoFactorSetup } from "@/components/account/two-factor-setup";
import { getSignedInUser } from "@/lib/auth/session";
import { getTwoFactorState } from "@/lib/two-factor/two-factor-state";

export const metadata: Metadata = { title: "Two-factor sign-in · Pullgate" };
export const dynamic = "force-dynamic";

/**
 * Outside the portal's layout on purpose: a member of a team that requires two-factor
 * sign-in is sent here until they have set it up, and can reach nothing else.
 */
export default async function TwoFactorPage() {
  const user = await getSignedInUser();
  if (!user) redirect("/signin?next=/two-factor");
  const state = await getTwoFactorState(user.id);
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center bg-zinc-50 px-4 py-12">
      <Logo className="mb-8" />
      <Card className="w-full max-w-[480px] shadow-sm">
        <CardContent className="grid gap-4 px-6 py-7 sm:px-8">
          <h1 className="text-xl font-semibold tracking-tight">Two-factor sign-in</h1>
          {state.requiredBy.length > 0 && !state.enabled ? (
            <FormNotice title={`${state.requiredBy.join(", ")} requires two-factor sign-in.`}>Set it up to continue to the portal.</FormNotice>
          ) : null}
          {state.enabled ? (
            <>
              <p className="text-sm text-zinc-600" data-testid="two-factor-state">
                Two-factor sign-in is on for {user.email}. {state.recoveryCodesLeft} recovery code{state.recoveryCodesLeft === 1 ? "" : "s"} left.
              </p>
              {state.requiredBy.length === 0 ? <DisableTwoFactorForm /> : null}
            </>
          ) : (
            <TwoFactorSetup />
          )}
          <Link href="/account" className="text-sm text-zinc-500 underline-offset-4 hover:underline">
            Back to your account
          </Link>
        </CardContent>
      </Card>
    </div>
  );
}
