import type { Metadata } from "next";
import { Card, CardContent } from "@/components/ui/card";
import { RequestPasswordResetForm } from "@/components/auth/password-reset-forms";

export const metadata: Metadata = { title: "Reset your password · Pullgate" };

export default function ForgotPasswordPage() {
  return (
    <Card className="shadow-sm">
      <CardContent className="px-6 py-7 sm:px-8">
        <div className="mb-6 text-center">
          <h1 className="text-xl font-semibold tracking-tight">Reset your password</h1>
          <p className="mt-1 text-sm text-zinc-500">We email you a link to choose a new one.</p>
        </div>
        <RequestPasswordResetForm />
      </CardContent>
    </Card>
  );
}
