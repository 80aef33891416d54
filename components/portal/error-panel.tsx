"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { DatabaseZap, TriangleAlert } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/lib/db/unavailable";

/**
 * What a page that failed on the server shows instead of Next's bare
 * "Application error": what happened when we know it (the database could not
 * be reached), a reference to find the server's log line otherwise, and a way
 * to try again without losing the address.
 */
export function ErrorPanel({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const [retrying, startRetry] = useTransition();
  const outage = error.digest === DATABASE_UNAVAILABLE_DIGEST;
  const retry = () =>
    startRetry(() => {
      // Server components are fetched again, then the boundary is cleared.
      router.refresh();
      reset();
    });
  return (
    <EmptyState
      icon={outage ? DatabaseZap : TriangleAlert}
      title={outage ? "Pullgate cannot reach its database right now" : "This page could not be loaded"}
      className="mx-auto mt-8 max-w-2xl"
      action={
        <Button onClick={retry} disabled={retrying}>
          {retrying ? "Trying again…" : "Try again"}
        </Button>
      }
    >
      {outage ? (
        <p>
          Nothing was lost: Pullgate reconnects by itself as soon as the database is back, usually within seconds. Try again in a
          moment.
        </p>
      ) : (
        <p>
          Something went wrong on the server. Try again; if it keeps happening, give your administrator this reference:{" "}
          <code className="rounded bg-zinc-100 px-1 py-0.5 text-xs text-zinc-700">{error.digest ?? "none"}</code>
        </p>
      )}
    </EmptyState>
  );
}
