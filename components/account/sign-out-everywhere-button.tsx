"use client";

import { LogOut } from "lucide-react";
import { signOutEverywhereAction } from "@/app/(portal)/account/actions";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";

export function SignOutEverywhereButton() {
  return (
    <ConfirmDialog
      trigger={
        <Button variant="outline">
          <LogOut aria-hidden />
          Sign out everywhere
        </Button>
      }
      title="Sign out everywhere?"
      description="Every browser and device signed in to your account is signed out at once, this one included."
      confirmLabel="Sign out everywhere"
      destructive
      onConfirm={async () => {
        await signOutEverywhereAction();
      }}
    />
  );
}
