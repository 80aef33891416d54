"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Loader2 } from "lucide-react";
import { createAppAction } from "@/app/(portal)/apps/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toaster";
import { suggestAppSlug } from "@/lib/apps/schemas";

/** Name → slug suggested live (until the slug is edited by hand); a taken slug is a field error. */
export function CreateAppForm({ proxyHost }: { proxyHost: string }) {
  const router = useRouter();
  const [name, setName] = React.useState("");
  const [slug, setSlug] = React.useState("");
  const [slugEdited, setSlugEdited] = React.useState(false);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();

  const shownSlug = slugEdited ? slug : name.trim() ? suggestAppSlug(name) : "";

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await createAppAction({ name, ...(shownSlug ? { slug: shownSlug } : {}) });
      if (result.ok) {
        toast.success(`App "${result.data.name}" created.`);
        router.push(`/apps/${result.data.id}`);
        return;
      }
      if (result.code === "conflict") {
        setErrors({ slug: result.message });
        setMessage(undefined);
      } else {
        setErrors(result.fieldErrors);
        setMessage(result.message);
      }
    });
  }

  return (
    <form method="post" onSubmit={submit} noValidate className="grid max-w-xl gap-5">
      <FormAlert message={message} />
      <FormField label="Name" error={errors.name} description="Shown to your team in the portal. You can rename it later.">
        <Input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Platform" autoFocus maxLength={100} />
      </FormField>
      <FormField
        label="Slug"
        error={errors.slug}
        description={
          <>
            Part of every image path, so it cannot change later:{" "}
            <code className="break-all font-mono text-xs text-zinc-700">
              {proxyHost}/proxy/{shownSlug || "<slug>"}/ghcr.io/acme/api:1.2.0
            </code>
          </>
        }
      >
        <Input
          name="slug"
          value={shownSlug}
          onChange={(e) => {
            setSlugEdited(true);
            setSlug(e.target.value.toLowerCase());
          }}
          placeholder="acme-platform"
          className="font-mono"
          maxLength={40}
          spellCheck={false}
        />
      </FormField>
      <div className="flex gap-2">
        <SubmitButton disabled={pending}>
          {pending ? <Loader2 className="animate-spin" aria-hidden /> : null}
          Create app
        </SubmitButton>
        <Button type="button" variant="secondary" onClick={() => router.push("/apps")}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
