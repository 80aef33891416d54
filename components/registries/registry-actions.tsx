"use client";

import * as React from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Loader2, Pencil, PlugZap, Trash2 } from "lucide-react";
import { deleteRegistryAction, testSavedRegistryAction } from "@/app/(portal)/settings/registries/actions";
import { ConnectionResult } from "@/components/registries/connection-result";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toaster";
import type { ConnectionTestResult } from "@/lib/registries/test-registry-connection";

type RegistrySummary = { id: string; label: string };

/** Test / Edit / Delete for one saved registry (owners and admins only). */
export function RegistryActions({ registry }: { registry: RegistrySummary }) {
  const router = useRouter();
  const [result, setResult] = React.useState<ConnectionTestResult>();
  const [testing, startTesting] = React.useTransition();

  function test() {
    setResult(undefined);
    startTesting(async () => {
      const answer = await testSavedRegistryAction(registry.id);
      if (answer.ok) setResult(answer.data);
      else toast.error(answer.message);
      router.refresh();
    });
  }

  return (
    <div className="grid gap-3 md:max-w-sm">
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" size="sm" onClick={test} disabled={testing} aria-label={`Test connection to ${registry.label}`}>
          {testing ? <Loader2 className="animate-spin" aria-hidden /> : <PlugZap aria-hidden />}
          Test
        </Button>
        <Button variant="secondary" size="sm" asChild>
          <Link href={`/settings/registries/${registry.id}/edit`} aria-label={`Edit ${registry.label}`}>
            <Pencil aria-hidden />
            Edit
          </Link>
        </Button>
        <ConfirmDialog
          trigger={
            <Button variant="secondary" size="sm" className="text-red-700 hover:text-red-800" aria-label={`Delete ${registry.label}`}>
              <Trash2 aria-hidden />
              Delete
            </Button>
          }
          title={`Unlink ${registry.label}?`}
          description="Its stored credentials are deleted, and customers can no longer pull images from it through Pullgate. This cannot be undone."
          confirmLabel="Delete registry"
          destructive
          onConfirm={async () => {
            const answer = await deleteRegistryAction(registry.id);
            if (!answer.ok) {
              toast.error(answer.message);
              throw new Error(answer.message);
            }
            toast.success(`Registry ${registry.label} deleted.`);
            router.refresh();
          }}
        />
      </div>
      {result ? <ConnectionResult result={result} /> : null}
    </div>
  );
}
