"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { setTeamTwoFactorAction } from "@/app/(portal)/settings/members/actions";
import { Switch } from "@/components/ui/switch";
import { toast } from "@/components/ui/toaster";

export function TeamTwoFactorSwitch({ required, disabled }: { required: boolean; disabled: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = React.useTransition();
  return (
    <Switch
      aria-label="Require two-factor sign-in"
      checked={required}
      disabled={disabled || pending}
      onCheckedChange={(next: boolean) =>
        startTransition(async () => {
          const result = await setTeamTwoFactorAction({ requireTwoFactor: next });
          if (result.ok) toast.success(next ? "Two-factor sign-in is now required in this team." : "Two-factor sign-in is no longer required.");
          else toast.error(result.message);
          router.refresh();
        })
      }
    />
  );
}
