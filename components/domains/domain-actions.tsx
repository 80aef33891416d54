"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Loader2, RefreshCw, Star, StarOff, Trash2 } from "lucide-react";
import { removeDomainAction, setDefaultDomainAction, verifyDomainAction } from "@/app/(portal)/settings/domains/actions";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toaster";
import type { DomainDto } from "@/lib/domains/domain-dto";

/** Verify now / Set default / Remove for one domain (owners and admins only). */
export function DomainActions({ domain }: { domain: Pick<DomainDto, "id" | "hostname" | "status" | "isDefault"> }) {
  const router = useRouter();
  const [verifying, startVerifying] = React.useTransition();
  const [defaulting, startDefaulting] = React.useTransition();

  function verify() {
    startVerifying(async () => {
      const result = await verifyDomainAction(domain.id);
      if (!result.ok) toast.error(result.message);
      else if (result.data.status === "verified") toast.success(`${domain.hostname} is verified.`);
      else toast.error(result.data.failureReason ?? `${domain.hostname} is not verified yet.`);
      router.refresh();
    });
  }

  function toggleDefault() {
    startDefaulting(async () => {
      const result = await setDefaultDomainAction(domain.id, !domain.isDefault);
      if (!result.ok) toast.error(result.message);
      else toast.success(result.data.isDefault ? `${domain.hostname} is now the default host.` : `${domain.hostname} is no longer the default host.`);
      router.refresh();
    });
  }

  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" size="sm" onClick={verify} disabled={verifying} aria-label={`Verify ${domain.hostname} now`}>
        {verifying ? <Loader2 className="animate-spin" aria-hidden /> : <RefreshCw aria-hidden />}
        Verify now
      </Button>
      {domain.status === "verified" ? (
        <Button variant="secondary" size="sm" onClick={toggleDefault} disabled={defaulting}>
          {domain.isDefault ? <StarOff aria-hidden /> : <Star aria-hidden />}
          {domain.isDefault ? "Unset default" : "Set as default"}
        </Button>
      ) : null}
      <ConfirmDialog
        trigger={
          <Button variant="secondary" size="sm" className="text-red-700 hover:text-red-800" aria-label={`Remove ${domain.hostname}`}>
            <Trash2 aria-hidden />
            Remove
          </Button>
        }
        title={`Remove ${domain.hostname}?`}
        description="The proxy stops answering on this host within a second: customers pulling through it get errors until they switch hosts. Adding it again needs a new verification."
        confirmLabel="Remove domain"
        destructive
        onConfirm={async () => {
          const result = await removeDomainAction(domain.id);
          if (!result.ok) {
            toast.error(result.message);
            throw new Error(result.message);
          }
          toast.success(`${domain.hostname} removed.`);
          router.refresh();
        }}
      />
    </div>
  );
}
