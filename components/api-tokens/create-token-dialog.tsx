"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Plus, TriangleAlert } from "lucide-react";
import { createApiTokenAction } from "@/app/(portal)/settings/tokens/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { CodeBlock } from "@/components/ui/code-block";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";

/** Name the token, then show it exactly once with a copy button. */
export function CreateTokenDialog() {
  const router = useRouter();
  const [open, setOpen] = React.useState(false);
  const [name, setName] = React.useState("");
  const [error, setError] = React.useState<string>();
  const [message, setMessage] = React.useState<string>();
  const [created, setCreated] = React.useState<{ token: string; name: string } | null>(null);
  const [pending, startTransition] = React.useTransition();

  function reset() {
    setName("");
    setError(undefined);
    setMessage(undefined);
    setCreated(null);
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await createApiTokenAction({ name });
      if (result.ok) {
        setCreated(result.data);
        router.refresh();
        return;
      }
      setError(result.fieldErrors.name);
      setMessage(result.fieldErrors.name ? undefined : result.message);
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <DialogTrigger asChild>
        <Button>
          <Plus aria-hidden />
          New API token
        </Button>
      </DialogTrigger>
      <DialogContent onInteractOutside={(e) => created && e.preventDefault()}>
        {created ? (
          <div className="grid gap-4">
            <DialogHeader>
              <DialogTitle>Copy your new token</DialogTitle>
              <DialogDescription>
                “{created.name}” acts with your role in this team. Send it as <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>.
              </DialogDescription>
            </DialogHeader>
            <CodeBlock code={created.token} copyLabel="Copy API token" className="[&_pre]:whitespace-pre-wrap [&_pre]:break-all [&_pre]:pr-12" />
            <p className="flex items-start gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
              This is the only time the token is shown. Pullgate stores only its hash.
            </p>
            <DialogFooter>
              <Button onClick={() => setOpen(false)}>Done</Button>
            </DialogFooter>
          </div>
        ) : (
          <form method="post" onSubmit={submit} noValidate className="grid gap-4">
            <DialogHeader>
              <DialogTitle>New API token</DialogTitle>
              <DialogDescription>For CI or scripts calling the REST API (/api/v1).</DialogDescription>
            </DialogHeader>
            <FormAlert message={message} />
            <FormField label="Name" error={error} description="What uses it, e.g. “GitHub Actions release job”.">
              <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoFocus />
            </FormField>
            <DialogFooter>
              <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <SubmitButton disabled={pending}>
                {pending ? "Creating…" : "Create token"}
              </SubmitButton>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
