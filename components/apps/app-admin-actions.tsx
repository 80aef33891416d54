"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Pencil, Trash2 } from "lucide-react";
import { deleteAppAction, renameAppAction } from "@/app/(portal)/apps/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toaster";

type AppSummary = { id: string; name: string; slug: string; customerCount: number };

export function RenameAppDialog({ app }: { app: AppSummary }) {
  const router = useRouter();
  const [open, setOpen] = React.useState(false);
  const [name, setName] = React.useState(app.name);
  const [error, setError] = React.useState<string>();
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await renameAppAction(app.id, { name });
      if (result.ok) {
        toast.success("App renamed.");
        setOpen(false);
        router.refresh();
      } else {
        setError(result.fieldErrors.name);
        setMessage(result.fieldErrors.name ? undefined : result.message);
      }
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setName(app.name);
          setError(undefined);
          setMessage(undefined);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary">
          <Pencil aria-hidden />
          Rename
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form method="post" onSubmit={submit} noValidate className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Rename app</DialogTitle>
            <DialogDescription>
              The slug <code className="font-mono">{app.slug}</code> stays: it is part of image paths you have already handed out.
            </DialogDescription>
          </DialogHeader>
          <FormAlert message={message} />
          <FormField label="Name" error={error}>
            <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoFocus />
          </FormField>
          <DialogFooter>
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <SubmitButton disabled={pending}>
              {pending ? "Saving…" : "Save"}
            </SubmitButton>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function DeleteAppButton({ app }: { app: AppSummary }) {
  const router = useRouter();
  if (app.customerCount > 0) {
    return (
      <Button variant="secondary" disabled title="Apps with customers cannot be deleted">
        <Trash2 aria-hidden />
        Delete
      </Button>
    );
  }
  return (
    <ConfirmDialog
      trigger={
        <Button variant="secondary" className="text-red-700 hover:text-red-800">
          <Trash2 aria-hidden />
          Delete
        </Button>
      }
      title={`Delete "${app.name}"?`}
      description={`The slug "${app.slug}" becomes free for anyone to take. This cannot be undone.`}
      confirmLabel="Delete app"
      destructive
      onConfirm={async () => {
        const result = await deleteAppAction(app.id);
        if (!result.ok) {
          toast.error(result.message);
          throw new Error(result.message);
        }
        toast.success(`App "${app.name}" deleted.`);
        router.push("/apps");
      }}
    />
  );
}
