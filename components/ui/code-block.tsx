import * as React from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { cn } from "@/lib/utils/cn";

export type CodeBlockProps = {
  code: string;
  /** Small caption above the code, e.g. "Kubernetes Secret". */
  title?: React.ReactNode;
  copyLabel?: string;
  className?: string;
};

export function CodeBlock({ code, title, copyLabel = "Copy to clipboard", className }: CodeBlockProps) {
  return (
    <div className={cn("overflow-hidden rounded-lg border border-zinc-200 bg-zinc-950", className)}>
      {title ? (
        <div className="flex items-center justify-between border-b border-zinc-800 bg-zinc-900 py-1 pl-4 pr-1.5">
          <span className="text-xs font-medium text-zinc-400">{title}</span>
          <CopyButton value={code} label={copyLabel} className="text-zinc-400 hover:bg-zinc-800 hover:text-white" />
        </div>
      ) : null}
      <div className="relative">
        <pre className="overflow-x-auto p-4 font-mono text-[13px] leading-relaxed text-zinc-100">
          <code>{code}</code>
        </pre>
        {title ? null : (
          <CopyButton value={code} label={copyLabel} className="absolute right-1.5 top-1.5 text-zinc-400 hover:bg-zinc-800 hover:text-white" />
        )}
      </div>
    </div>
  );
}
