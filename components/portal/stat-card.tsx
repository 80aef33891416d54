import Link from "next/link";
import type { LucideIcon } from "lucide-react";
import { Card } from "@/components/ui/card";
import { cn } from "@/lib/utils/cn";

/** One number on the dashboard; with an href the whole card opens the page behind the number. */
export function StatCard({ label, value, icon: Icon, hint, href }: { label: string; value: number; icon: LucideIcon; hint?: string; href?: string }) {
  const body = (
    <Card className={cn("h-full px-5 py-4", href && "transition-colors group-hover:border-zinc-300 group-hover:bg-zinc-50/60")}>
      <div className="flex items-start justify-between gap-2">
        <p className="text-sm font-medium text-zinc-500">{label}</p>
        <Icon className="mt-0.5 size-4 shrink-0 text-zinc-400" aria-hidden />
      </div>
      <p className="mt-2 text-2xl font-semibold tabular-nums tracking-tight text-zinc-900">{value.toLocaleString("en-US")}</p>
      {hint ? <p className="mt-0.5 text-xs text-zinc-500">{hint}</p> : null}
    </Card>
  );
  return href ? (
    <Link href={href} className="group rounded-lg focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-zinc-900">
      {body}
    </Link>
  ) : (
    body
  );
}
