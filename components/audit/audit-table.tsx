import Link from "next/link";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { TARGET_LABELS } from "@/components/audit/audit-filters";
import type { AuditEventDto } from "@/lib/audit/list-audit-events";
import { formatDateTime } from "@/lib/utils/format-date";

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value === "" ? '""' : value;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** before → after for each changed field (the audit log stores only changed fields, never secrets). */
function Changes({ before, after }: { before: unknown; after: unknown }) {
  const b = (before && typeof before === "object" ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === "object" ? after : {}) as Record<string, unknown>;
  // A creation lists what was set; empty fields would only be noise.
  const isEmpty = (v: unknown) => v === null || v === "" || (Array.isArray(v) ? v.length === 0 : typeof v === "object" && Object.keys(v as object).length === 0);
  const creation = Object.keys(b).length === 0;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !creation || !isEmpty(a[k]));
  if (keys.length === 0) return <span className="text-zinc-400">—</span>;
  return (
    <ul className="grid gap-0.5 text-xs">
      {keys.map((key) => (
        <li key={key} className="break-words">
          <span className="font-mono text-zinc-500">{key}</span>{" "}
          {key in b && key in a ? (
            <>
              <span className="text-zinc-500 line-through decoration-zinc-300">{show(b[key])}</span> → <span className="text-zinc-900">{show(a[key])}</span>
            </>
          ) : key in a ? (
            <span className="text-zinc-900">{show(a[key])}</span>
          ) : (
            <span className="text-zinc-500">{show(b[key])}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

function targetHref(event: AuditEventDto): string | null {
  if (!event.targetId || event.action.endsWith(".delete")) return null;
  if (event.targetType === "customer" || event.targetType === "license") return `/customers/${event.targetId}`;
  if (event.targetType === "app") return `/apps/${event.targetId}`;
  return null;
}

function Target({ event }: { event: AuditEventDto }) {
  const href = targetHref(event);
  const name = event.targetName ?? event.targetId ?? "—";
  return href ? (
    <Link href={href} className="truncate hover:underline">
      {name}
    </Link>
  ) : (
    <span className="truncate">{name}</span>
  );
}

/** A table on wide screens; on phones a stacked list, so the action and changes stay in view. */
export function AuditTable({ events }: { events: AuditEventDto[] }) {
  return (
    <Card>
      <ul className="divide-y divide-zinc-100 md:hidden">
        {events.map((e) => (
          <li key={e.id} className="grid gap-1.5 px-4 py-3 text-sm">
            <div className="flex min-w-0 items-baseline justify-between gap-3">
              <span className="font-mono text-xs text-zinc-900">{e.action}</span>
              <span className="shrink-0 text-xs text-zinc-500">{formatDateTime(e.time)}</span>
            </div>
            <div className="flex min-w-0 gap-1.5 text-zinc-700">
              <span className="shrink-0 text-zinc-500">{TARGET_LABELS[e.targetType as keyof typeof TARGET_LABELS] ?? e.targetType}</span>
              <Target event={e} />
            </div>
            <p className="truncate text-xs text-zinc-500">by {e.actor.label}</p>
            <Changes before={e.before} after={e.after} />
          </li>
        ))}
      </ul>
      <Table className="hidden md:table">
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Time</TableHead>
            <TableHead>Actor</TableHead>
            <TableHead>Action</TableHead>
            <TableHead>Target</TableHead>
            <TableHead className="min-w-[16rem]">Changes</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {events.map((e) => {
            const label = TARGET_LABELS[e.targetType as keyof typeof TARGET_LABELS] ?? e.targetType;
            return (
              <TableRow key={e.id} className="align-top">
                <TableCell className="whitespace-nowrap align-top text-xs">{formatDateTime(e.time)}</TableCell>
                <TableCell className="max-w-[14rem] truncate align-top">{e.actor.label}</TableCell>
                <TableCell className="whitespace-nowrap align-top font-mono text-xs text-zinc-900">{e.action}</TableCell>
                <TableCell className="max-w-[14rem] align-top">
                  <span className="block text-xs text-zinc-500">{label}</span>
                  <span className="flex min-w-0">
                    <Target event={e} />
                  </span>
                </TableCell>
                <TableCell className="align-top">
                  <Changes before={e.before} after={e.after} />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Card>
  );
}
