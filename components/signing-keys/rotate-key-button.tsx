"use client";

import { useRouter } from "next/navigation";
import { rotateSigningKeyAction } from "@/app/(portal)/settings/signing-keys/actions";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toaster";

export function RotateKeyButton() {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={<Button variant="secondary">Rotate key</Button>}
      title="Rotate the signing key?"
      description="New license files are signed with a new key. The current public key stays published until the licenses it may have signed expire, so files already handed out keep verifying."
      confirmLabel="Rotate key"
      onConfirm={async () => {
        const result = await rotateSigningKeyAction();
        if (!result.ok) {
          toast.error(result.message);
          throw new Error(result.message);
        }
        toast.success("Signing key rotated.");
        router.refresh();
      }}
    />
  );
}
