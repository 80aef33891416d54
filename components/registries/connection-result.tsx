import { CheckCircle2, XCircle } from "lucide-react";
import { cn } from "@/lib/utils/cn";

/** The one-sentence outcome of a connection test. */
export function ConnectionResult({ result, className }: { result: { ok: boolean; message: string }; className?: string }) {
  const Icon = result.ok ? CheckCircle2 : XCircle;
  return (
    <div
      role="status"
      data-testid="connection-result"
      className={cn(
        "flex items-start gap-2 rounded-md border px-3 py-2.5 text-sm",
        result.ok ? "border-emerald-200 bg-emerald-50 text-emerald-800" : "border-red-200 bg-red-50 text-red-700",
        className,
      )}
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>{result.message}</span>
    </div>
  );
}
