"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Send } from "lucide-react";
import { inviteMemberAction } from "@/app/(portal)/settings/members/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { toast } from "@/components/ui/toaster";
import type { TeamRole } from "@/lib/auth/actor";

export const ROLE_HINTS: Record<TeamRole, string> = {
  owner: "Everything, including managing owners.",
  admin: "Manages apps, customers, registries, members and tokens.",
  member: "Read-only: sees everything, changes nothing.",
};

export function InviteMemberForm({ actorRole }: { actorRole: TeamRole }) {
  const router = useRouter();
  const [email, setEmail] = React.useState("");
  const [role, setRole] = React.useState<TeamRole>("member");
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await inviteMemberAction({ email, role });
      if (result.ok) {
        if (result.data.emailSent) toast.success(result.data.message);
        else toast.error(result.data.message);
        setEmail("");
        setErrors({});
        setMessage(undefined);
        router.refresh();
        return;
      }
      setErrors(result.fieldErrors);
      setMessage(Object.keys(result.fieldErrors).length ? undefined : result.message);
    });
  }

  const roles: TeamRole[] = actorRole === "owner" ? ["member", "admin", "owner"] : ["member", "admin"];
  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-3">
      <FormAlert message={message} />
      <div className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-start">
        <FormField label="Email" error={errors.email}>
          <Input type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="teammate@company.com" />
        </FormField>
        <FormField label="Role" error={errors.role}>
          <Select value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r[0]!.toUpperCase() + r.slice(1)}
              </option>
            ))}
          </Select>
        </FormField>
        <SubmitButton disabled={pending} className="sm:mt-[1.375rem]">
          <Send aria-hidden />
          {pending ? "Sending…" : "Send invitation"}
        </SubmitButton>
      </div>
      <p className="text-[13px] text-zinc-500">
        They get an email with a link (valid 7 days) to sign in or create an account, then accept or decline. {ROLE_HINTS[role]}
      </p>
    </form>
  );
}
