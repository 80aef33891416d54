import { Info } from "lucide-react";

/** A neutral, form-level notice (what just happened, what to do next). */
export function FormNotice({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div role="status" data-testid="form-notice" className="flex items-start gap-2 rounded-md border border-sky-200 bg-sky-50 px-3 py-2.5 text-sm text-sky-900">
      <Info className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="grid gap-1">
        <p className="font-medium">{title}</p>
        {children ? <p className="text-sky-800">{children}</p> : null}
      </div>
    </div>
  );
}
