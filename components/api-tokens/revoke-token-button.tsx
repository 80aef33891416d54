"use client";

import { useRouter } from "next/navigation";
import { revokeApiTokenAction } from "@/app/(portal)/settings/tokens/actions";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toaster";

export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="ghost" size="sm" className="text-red-700 hover:text-red-800">
          Revoke
        </Button>
      }
      title={`Revoke “${name}”?`}
      description="Requests with this token are refused from now on. This cannot be undone: create a new token if you need one."
      confirmLabel="Revoke token"
      destructive
      onConfirm={async () => {
        const result = await revokeApiTokenAction(tokenId);
        if (!result.ok) {
          toast.error(result.message);
          throw new Error(result.message);
        }
        toast.success(`Token “${name}” revoked.`);
        router.refresh();
      }}
    />
  );
}
