import Link from "next/link";
import { SearchX } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

/** Missing rows and other teams' rows look the same: not found, with no hint of what exists. */
export default function PortalNotFound() {
  return (
    <EmptyState
      icon={SearchX}
      title="Page not found"
      className="mt-8"
      action={
        <Button asChild variant="secondary">
          <Link href="/dashboard">Back to the dashboard</Link>
        </Button>
      }
    >
      This page does not exist in your current team. If someone sent you the link, check that you have switched to their team.
    </EmptyState>
  );
}
