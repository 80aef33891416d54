import type { Metadata } from "next";
import { Card, CardContent } from "@/components/ui/card";
import { SignUpForm } from "@/components/auth/sign-up-form";

export const metadata: Metadata = { title: "Create an account · Pullgate" };

export default function SignUpPage() {
  return (
    <Card className="shadow-sm">
      <CardContent className="px-6 py-7 sm:px-8">
        <div className="mb-6 text-center">
          <h1 className="text-xl font-semibold tracking-tight">Create your account</h1>
          <p className="mt-1 text-sm text-zinc-500">You will be the owner of a new team.</p>
        </div>
        <SignUpForm />
      </CardContent>
    </Card>
  );
}
