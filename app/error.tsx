"use client";

import { ErrorPanel } from "@/components/portal/error-panel";

// Any page (or the portal layout) that fails on the server: a clear page, never a stack trace.
export default function PageError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="min-h-dvh bg-zinc-50 px-4 py-12">
      <ErrorPanel {...props} />
    </main>
  );
}
