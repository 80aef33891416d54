import Link from "next/link";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { SignOutEverywhereButton } from "@/components/account/sign-out-everywhere-button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionContext } from "@/lib/auth/session";
import { countActiveSessions } from "@/lib/auth/sessions";

export const metadata: Metadata = { title: "Account · Pullgate" };

export default async function AccountPage() {
  const context = await getSessionContext();
  if (!context) redirect("/signin");
  const { user } = context;
  const sessions = await countActiveSessions(user.id);

  return (
    <>
      <PageHeader title="Account" description="Your sign-in details. They are yours across every team you belong to." />
      <div className="grid max-w-2xl gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Profile</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-3 text-sm sm:grid-cols-[8rem_1fr]">
              <dt className="text-zinc-500">Name</dt>
              <dd className="min-w-0 truncate text-zinc-900">{user.name}</dd>
              <dt className="text-zinc-500">Email</dt>
              <dd className="min-w-0 truncate text-zinc-900">{user.email}</dd>
            </dl>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Change password</CardTitle>
            <CardDescription>Changing it signs you out everywhere, this browser too; then you sign in with the new one.</CardDescription>
          </CardHeader>
          <CardContent>
            <ChangePasswordForm email={user.email} />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Two-factor sign-in</CardTitle>
            <CardDescription>A code from an authenticator app after your password, with recovery codes for a lost phone.</CardDescription>
          </CardHeader>
          <CardContent>
            <Link href="/two-factor" className="text-sm font-medium text-zinc-900 underline underline-offset-4">
              Manage two-factor sign-in
            </Link>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Sessions</CardTitle>
            <CardDescription>
              {sessions === 1
                ? "You are signed in on 1 browser: this one."
                : `You are signed in on ${sessions} browsers or devices, this one included.`}{" "}
              Signing out everywhere ends all of them at once, for example after using a shared computer or losing a laptop.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <SignOutEverywhereButton />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
