import * as React from "react";
import type { LucideIcon } from "lucide-react";
import { cn } from "@/lib/utils/cn";

export type EmptyStateProps = {
  icon?: LucideIcon;
  title: React.ReactNode;
  children?: React.ReactNode;
  /** Buttons or links that tell the user what to do next. */
  action?: React.ReactNode;
  className?: string;
};

export function EmptyState({ icon: Icon, title, children, action, className }: EmptyStateProps) {
  return (
    <div className={cn("flex flex-col items-center justify-center rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-12 text-center", className)}>
      {Icon ? (
        <div className="mb-4 flex size-11 items-center justify-center rounded-full bg-zinc-100 text-zinc-600">
          <Icon className="size-5" aria-hidden />
        </div>
      ) : null}
      <h3 className="text-[15px] font-semibold text-zinc-900">{title}</h3>
      {children ? <div className="mt-1.5 max-w-md text-sm text-zinc-500">{children}</div> : null}
      {action ? <div className="mt-5 flex flex-wrap items-center justify-center gap-2">{action}</div> : null}
    </div>
  );
}
