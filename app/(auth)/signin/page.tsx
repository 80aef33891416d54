import type { Metadata } from "next";
import { Card, CardContent } from "@/components/ui/card";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Sign in · Pullgate" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <Card className="shadow-sm">
      <CardContent className="px-6 py-7 sm:px-8">
        <div className="mb-6 text-center">
          <h1 className="text-xl font-semibold tracking-tight">Sign in to Pullgate</h1>
          <p className="mt-1 text-sm text-zinc-500">Manage who may pull your images.</p>
        </div>
        <SignInForm next={typeof next === "string" ? next : undefined} />
      </CardContent>
    </Card>
  );
}
