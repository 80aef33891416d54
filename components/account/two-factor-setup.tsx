"use client";

import * as React from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { confirmTwoFactorAction, disableTwoFactorAction, startTwoFactorAction } from "@/app/two-factor/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";

type Enrolment = { secret: string; otpauthUri: string; qrDataUrl: string };

/** Scan the QR code, confirm a code, then the recovery codes, shown this once. */
export function TwoFactorSetup() {
  const [enrolment, setEnrolment] = React.useState<Enrolment>();
  const [recoveryCodes, setRecoveryCodes] = React.useState<string[]>();
  const [code, setCode] = React.useState("");
  const [error, setError] = React.useState<string>();
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();

  if (recoveryCodes) {
    return (
      <div className="grid gap-3">
        <p className="text-sm font-medium text-emerald-700">Two-factor sign-in is on.</p>
        <p className="text-sm text-zinc-600">
          Save these recovery codes somewhere safe. Each works once, instead of a code, if you lose your phone. They are not shown again.
        </p>
        <ul className="grid grid-cols-2 gap-1 rounded-md border border-zinc-200 bg-zinc-50 p-3 font-mono text-sm">
          {recoveryCodes.map((c) => (
            <li key={c} data-testid="recovery-code">
              {c}
            </li>
          ))}
        </ul>
        <Link href="/dashboard" className="rounded-md bg-zinc-900 px-4 py-2 text-center text-sm font-medium text-white hover:bg-zinc-800">
          I saved them: continue
        </Link>
      </div>
    );
  }

  if (!enrolment) {
    return (
      <div className="grid gap-3">
        <FormAlert message={message} />
        <p className="text-sm text-zinc-600">Sign-in will ask for a code from an authenticator app (1Password, Google Authenticator, …) after your password.</p>
        <Button
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              const result = await startTwoFactorAction();
              if (result.ok) setEnrolment(result.data);
              else setMessage(result.message);
            })
          }
        >
          Set up two-factor sign-in
        </Button>
      </div>
    );
  }

  return (
    <form
      method="post"
      className="grid gap-3"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        startTransition(async () => {
          const result = await confirmTwoFactorAction({ code });
          if (result.ok) setRecoveryCodes(result.data.recoveryCodes);
          else {
            setError(result.fieldErrors.code);
            setMessage(result.fieldErrors.code ? undefined : result.message);
          }
        });
      }}
    >
      <FormAlert message={message} />
      <p className="text-sm text-zinc-600">Scan this QR code with your authenticator app, then enter the code it shows.</p>
      <img src={enrolment.qrDataUrl} alt="QR code for your authenticator app" width={220} height={220} className="mx-auto" />
      <p className="text-xs text-zinc-500">
        Cannot scan? Enter this key: <code data-testid="totp-secret" className="break-all font-mono text-zinc-800">{enrolment.secret}</code>
      </p>
      <FormField label="Code from the app" error={error}>
        <Input value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" inputMode="numeric" placeholder="123456" />
      </FormField>
      <SubmitButton disabled={pending}>
        Turn on two-factor sign-in
      </SubmitButton>
    </form>
  );
}

export function DisableTwoFactorForm() {
  const router = useRouter();
  const [code, setCode] = React.useState("");
  const [error, setError] = React.useState<string>();
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();
  return (
    <form
      method="post"
      className="grid gap-3"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        startTransition(async () => {
          const result = await disableTwoFactorAction({ code });
          if (result.ok) router.refresh();
          else {
            setError(result.fieldErrors.code);
            setMessage(result.fieldErrors.code ? undefined : result.message);
          }
        });
      }}
    >
      <FormAlert message={message} />
      <FormField label="Code to turn it off" error={error}>
        <Input value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" placeholder="123456 or a recovery code" />
      </FormField>
      <SubmitButton variant="outline" disabled={pending}>
        Turn off two-factor sign-in
      </SubmitButton>
    </form>
  );
}
