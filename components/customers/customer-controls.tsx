"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Archive, ArchiveRestore } from "lucide-react";
import { setArchivedAction, setRegistryAccessAction } from "@/app/(portal)/customers/actions";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { toast } from "@/components/ui/toaster";

export const ARCHIVE_EXPLANATION =
  "Archiving a customer cuts their registry access immediately (unlike Replicated, where archived customers can still pull). Unarchive restores it.";

/** Turns the license's registry access on or off right away. */
export function RegistryAccessSwitch({ customerId, registryAccess }: { customerId: string; registryAccess: boolean }) {
  const router = useRouter();
  const [checked, setChecked] = React.useState(registryAccess);
  const [pending, startTransition] = React.useTransition();
  const [serverValue, setServerValue] = React.useState(registryAccess);
  if (serverValue !== registryAccess) {
    setServerValue(registryAccess);
    setChecked(registryAccess);
  }

  return (
    <Switch
      id="registry-access"
      checked={checked}
      disabled={pending}
      aria-label="Registry access"
      onCheckedChange={(next) => {
        setChecked(next);
        startTransition(async () => {
          const result = await setRegistryAccessAction(customerId, next);
          if (!result.ok) {
            setChecked(!next);
            toast.error(result.message);
            return;
          }
          toast.success(next ? "Registry access turned on." : "Registry access turned off: pulls with this license are refused.");
          router.refresh();
        });
      }}
    />
  );
}

export function ArchiveButton({ customerId, archived, name }: { customerId: string; archived: boolean; name: string }) {
  const router = useRouter();
  async function run() {
    const result = await setArchivedAction(customerId, !archived);
    if (!result.ok) {
      toast.error(result.message);
      throw new Error(result.message);
    }
    toast.success(archived ? `${name} unarchived: the license's own terms apply again.` : `${name} archived: their registry access is cut.`);
    router.refresh();
  }
  return archived ? (
    <ConfirmDialog
      trigger={
        <Button variant="secondary">
          <ArchiveRestore aria-hidden />
          Unarchive
        </Button>
      }
      title={`Unarchive ${name}?`}
      description={`${ARCHIVE_EXPLANATION} After unarchiving, the license's own terms (expiry, registry access) decide again.`}
      confirmLabel="Unarchive"
      onConfirm={run}
    />
  ) : (
    <ConfirmDialog
      trigger={
        <Button variant="secondary" className="text-red-700 hover:text-red-800">
          <Archive aria-hidden />
          Archive
        </Button>
      }
      title={`Archive ${name}?`}
      description={ARCHIVE_EXPLANATION}
      confirmLabel="Archive customer"
      destructive
      onConfirm={run}
    />
  );
}
