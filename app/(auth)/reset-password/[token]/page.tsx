import type { Metadata } from "next";
import { Card, CardContent } from "@/components/ui/card";
import { ResetPasswordForm } from "@/components/auth/password-reset-forms";

export const metadata: Metadata = { title: "Choose a new password · Pullgate" };

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <Card className="shadow-sm">
      <CardContent className="px-6 py-7 sm:px-8">
        <div className="mb-6 text-center">
          <h1 className="text-xl font-semibold tracking-tight">Choose a new password</h1>
          <p className="mt-1 text-sm text-zinc-500">Every browser signed in to your account will be signed out.</p>
        </div>
        <ResetPasswordForm token={token} />
      </CardContent>
    </Card>
  );
}
