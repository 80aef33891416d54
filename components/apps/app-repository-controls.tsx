"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Loader2, Plus, X } from "lucide-react";
import { addAppRepositoryAction, removeAppRepositoryAction } from "@/app/(portal)/apps/actions";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { toast } from "@/components/ui/toaster";

/** Lists a repository for the app (for registries that do not answer /v2/_catalog, or to name one the catalog misses). */
export function AddRepositoryForm({ appId, registries }: { appId: string; registries: { id: string; label: string }[] }) {
  const router = useRouter();
  const [registryId, setRegistryId] = React.useState(registries[0]?.id ?? "");
  const [repository, setRepository] = React.useState("");
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [pending, startTransition] = React.useTransition();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await addAppRepositoryAction(appId, { registryId, repository });
      if (result.ok) {
        toast.success(`${result.data.repository} listed.`);
        setRepository("");
        setErrors({});
        router.refresh();
      } else {
        setErrors(Object.keys(result.fieldErrors).length ? result.fieldErrors : { repository: result.message });
      }
    });
  }

  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-3 sm:grid-cols-[minmax(0,16rem)_minmax(0,1fr)_auto] sm:items-start">
      <FormField label="Registry" error={errors.registryId}>
        <Select value={registryId} onChange={(e) => setRegistryId(e.target.value)}>
          {registries.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </Select>
      </FormField>
      <FormField label="Repository" error={errors.repository} description="The path on that registry, e.g. acme/api (no host or tag).">
        <Input value={repository} onChange={(e) => setRepository(e.target.value)} placeholder="acme/api" spellCheck={false} className="font-mono" maxLength={255} />
      </FormField>
      <SubmitButton variant="secondary" disabled={pending || !registryId} className="sm:mt-[1.625rem]">
        {pending ? <Loader2 className="animate-spin" aria-hidden /> : <Plus aria-hidden />}
        Add repository
      </SubmitButton>
    </form>
  );
}

export function RemoveRepositoryButton({ appId, repositoryId, name }: { appId: string; repositoryId: string; name: string }) {
  const router = useRouter();
  const [pending, startTransition] = React.useTransition();
  return (
    <Button
      variant="ghost"
      size="icon-sm"
      aria-label={`Remove ${name}`}
      disabled={pending}
      onClick={() =>
        startTransition(async () => {
          const result = await removeAppRepositoryAction(appId, repositoryId);
          if (result.ok) router.refresh();
          else toast.error(result.message);
        })
      }
    >
      {pending ? <Loader2 className="animate-spin" aria-hidden /> : <X aria-hidden />}
    </Button>
  );
}
