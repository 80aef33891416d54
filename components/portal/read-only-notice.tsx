import { Lock } from "lucide-react";

/** Shown instead of forms to team members, whose role is read-only. */
export function ReadOnlyNotice({ children }: { children?: React.ReactNode }) {
  return (
    <div role="note" className="flex items-start gap-2.5 rounded-lg border border-zinc-200 bg-zinc-50 px-4 py-3 text-sm text-zinc-600">
      <Lock className="mt-0.5 size-4 shrink-0 text-zinc-500" aria-hidden />
      <p>{children ?? "Your role in this team is read-only (member): you can look at everything, but only an owner or admin can make changes."}</p>
    </div>
  );
}
