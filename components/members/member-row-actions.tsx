"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { UserMinus } from "lucide-react";
import { changeMemberRoleAction, removeMemberAction } from "@/app/(portal)/settings/members/actions";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { toast } from "@/components/ui/toaster";
import type { TeamRole } from "@/lib/auth/actor";

type Props = { membershipId: string; email: string; role: TeamRole; actorRole: TeamRole; isSelf: boolean };

/** Role picker and remove button for one member; owners' rows are only editable by owners. */
export function MemberRowActions({ membershipId, email, role, actorRole, isSelf }: Props) {
  const router = useRouter();
  const [pending, startTransition] = React.useTransition();
  const editable = actorRole === "owner" || role !== "owner";
  const roles: TeamRole[] = actorRole === "owner" ? ["owner", "admin", "member"] : ["admin", "member"];

  if (!editable) return <span className="text-xs text-zinc-500">Only owners can change owners</span>;

  return (
    <div className="flex items-center justify-end gap-2">
      <Select
        aria-label={`Role of ${email}`}
        value={role}
        disabled={pending}
        className="w-28"
        onChange={(e) => {
          const next = e.target.value as TeamRole;
          startTransition(async () => {
            const result = await changeMemberRoleAction(membershipId, { role: next });
            if (!result.ok) toast.error(result.message);
            else toast.success(`${email} is now ${next}.`);
            router.refresh();
          });
        }}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {r[0]!.toUpperCase() + r.slice(1)}
          </option>
        ))}
      </Select>
      <ConfirmDialog
        trigger={
          <Button variant="ghost" size="icon-sm" aria-label={`Remove ${email}`}>
            <UserMinus aria-hidden />
          </Button>
        }
        title={isSelf ? "Leave this team?" : `Remove ${email}?`}
        description={
          isSelf
            ? "You lose access to this team's apps, customers and settings right away."
            : "They lose access to this team right away. Their Pullgate account and other teams stay. API tokens they created stop working."
        }
        confirmLabel={isSelf ? "Leave team" : "Remove"}
        destructive
        onConfirm={async () => {
          const result = await removeMemberAction(membershipId);
          if (!result.ok) {
            toast.error(result.message);
            throw new Error(result.message);
          }
          toast.success(isSelf ? "You left the team." : `${email} removed.`);
          router.refresh();
        }}
      />
    </div>
  );
}
