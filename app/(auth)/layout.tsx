import { redirect } from "next/navigation";
import { Logo } from "@/components/portal/logo";
import { getSessionActor } from "@/lib/auth/session";

export default async function AuthLayout({ children }: { children: React.ReactNode }) {
  // Signed-in users have nothing to do here.
  if (await getSessionActor()) redirect("/dashboard");
  return (
    <div className="flex min-h-dvh flex-col bg-zinc-50">
      <div className="pointer-events-none absolute inset-x-0 top-0 h-72 bg-gradient-to-b from-white to-transparent" aria-hidden />
      <main className="relative flex flex-1 flex-col items-center justify-center px-4 py-12">
        <Logo className="mb-8" />
        <div className="w-full max-w-[400px]">{children}</div>
      </main>
      <footer className="relative pb-6 text-center text-xs text-zinc-400">License-gated container registry proxy</footer>
    </div>
  );
}
