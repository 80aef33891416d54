import Link from "next/link";
import { ChevronRight, Users } from "lucide-react";
import { Card } from "@/components/ui/card";
import { formatDate } from "@/lib/utils/format-date";

export type AppCardItem = { id: string; name: string; slug: string; customerCount: number; createdAt: string };

export function AppCards({ apps }: { apps: AppCardItem[] }) {
  return (
    <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
      {apps.map((app) => (
        <li key={app.id}>
          <Link href={`/apps/${app.id}`} className="group block focus-visible:outline-none">
            <Card className="flex h-full flex-col gap-3 px-5 py-4 transition-colors group-hover:border-zinc-300 group-focus-visible:ring-2 group-focus-visible:ring-zinc-900/20">
              <div className="flex items-start justify-between gap-3">
                <div className="min-w-0">
                  <h2 className="truncate text-[15px] font-semibold text-zinc-900">{app.name}</h2>
                  <p className="mt-0.5 truncate font-mono text-xs text-zinc-500">{app.slug}</p>
                </div>
                <ChevronRight className="mt-0.5 size-4 shrink-0 text-zinc-400 transition-transform group-hover:translate-x-0.5" aria-hidden />
              </div>
              <div className="mt-auto flex items-center justify-between text-sm text-zinc-500">
                <span className="inline-flex items-center gap-1.5">
                  <Users className="size-3.5" aria-hidden />
                  {app.customerCount.toLocaleString("en-US")} customer{app.customerCount === 1 ? "" : "s"}
                </span>
                <span>Created {formatDate(app.createdAt)}</span>
              </div>
            </Card>
          </Link>
        </li>
      ))}
    </ul>
  );
}
