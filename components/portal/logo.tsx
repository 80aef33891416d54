import { ShieldCheck } from "lucide-react";
import { cn } from "@/lib/utils/cn";

export function Logo({ className, withText = true }: { className?: string; withText?: boolean }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight text-zinc-900", className)}>
      <span className="flex size-7 items-center justify-center rounded-md bg-zinc-900 text-white shadow-sm">
        <ShieldCheck className="size-4" aria-hidden />
      </span>
      {withText ? <span className="text-[15px]">Pullgate</span> : <span className="sr-only">Pullgate</span>}
    </span>
  );
}
