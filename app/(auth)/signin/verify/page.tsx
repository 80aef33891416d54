import type { Metadata } from "next";
import { Card, CardContent } from "@/components/ui/card";
import { SecondFactorForm } from "@/components/auth/second-factor-form";

export const metadata: Metadata = { title: "Two-factor sign-in · Pullgate" };

/** The sign-in's second step (the challenge cookie from the first step names the account). */
export default async function VerifySignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <Card className="shadow-sm">
      <CardContent className="px-6 py-7 sm:px-8">
        <div className="mb-6 text-center">
          <h1 className="text-xl font-semibold tracking-tight">Two-factor sign-in</h1>
          <p className="mt-1 text-sm text-zinc-500">Enter the code from your authenticator app, or one of your recovery codes.</p>
        </div>
        <SecondFactorForm next={typeof next === "string" ? next : undefined} />
      </CardContent>
    </Card>
  );
}
