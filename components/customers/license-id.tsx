import { CopyButton } from "@/components/ui/copy-button";

/** The license ID in full (it is the pull password) with a copy button. */
export function LicenseId({ value }: { value: string }) {
  return (
    <div className="flex items-center gap-1 rounded-md border border-zinc-200 bg-zinc-50 py-1 pl-3 pr-1">
      <code data-testid="license-id" className="min-w-0 flex-1 truncate font-mono text-[13px] text-zinc-900">
        {value}
      </code>
      <CopyButton value={value} label="Copy license ID" />
    </div>
  );
}
