"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { revokeInvitationAction } from "@/app/(portal)/settings/members/actions";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toaster";

export function RevokeInvitationButton({ invitationId, email }: { invitationId: string; email: string }) {
  const router = useRouter();
  const [pending, startTransition] = React.useTransition();
  return (
    <Button
      variant="outline"
      size="sm"
      disabled={pending}
      aria-label={`Revoke the invitation of ${email}`}
      onClick={() =>
        startTransition(async () => {
          const result = await revokeInvitationAction(invitationId);
          if (result.ok) toast.success(`The invitation of ${email} was revoked: its link no longer works.`);
          else toast.error(result.message);
          router.refresh();
        })
      }
    >
      {pending ? "Revoking…" : "Revoke"}
    </Button>
  );
}
