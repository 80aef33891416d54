import { KeyRound } from "lucide-react";

/** On a registry whose stored password no longer decrypts: what breaks, and the two ways to fix it. */
export function SecretUnreadableBanner({ canEdit }: { canEdit: boolean }) {
  return (
    <div role="alert" data-testid="secret-unreadable" className="mb-6 flex items-start gap-3 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
      <KeyRound className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="space-y-1">
        <p className="font-medium">The stored password of this registry cannot be decrypted.</p>
        <p>
          It was encrypted with a server key that is no longer configured, so customers&apos; pulls that need this registry fail (HTTP 502) while
          other registries keep working.{" "}
          {canEdit ? "Enter the password again below and save," : "An owner or admin can enter the password again,"} or have the operator add the
          previous key to <code className="rounded bg-red-100 px-1 py-0.5 text-xs">PULLGATE_SECRET_KEY_PREVIOUS</code>.
        </p>
      </div>
    </div>
  );
}
