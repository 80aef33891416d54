"use client";

import * as React from "react";
import { Check, ChevronsUpDown } from "lucide-react";
import { switchTeam } from "@/app/(portal)/session-actions";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { toast } from "@/components/ui/toaster";
import type { MyTeam } from "@/lib/auth/session";
import { cn } from "@/lib/utils/cn";

function TeamAvatar({ name }: { name: string }) {
  return (
    <span className="flex size-6 shrink-0 items-center justify-center rounded-md bg-gradient-to-br from-zinc-700 to-zinc-900 text-[11px] font-semibold uppercase text-white">
      {name.trim().charAt(0) || "?"}
    </span>
  );
}

const roleLabel = { owner: "Owner", admin: "Admin", member: "Member (read-only)" } as const;

/** Current team; a menu to switch when the user belongs to several. */
export function TeamSwitcher({ teams }: { teams: MyTeam[] }) {
  const [pending, startTransition] = React.useTransition();
  const current = teams.find((t) => t.current) ?? teams[0];
  if (!current) return null;

  const summary = (
    <>
      <TeamAvatar name={current.name} />
      <span className="min-w-0 flex-1 text-left">
        <span className="block truncate text-sm font-medium text-zinc-900">{current.name}</span>
        <span className="block truncate text-xs text-zinc-500">{roleLabel[current.role]}</span>
      </span>
    </>
  );

  if (teams.length < 2) {
    return <div className="flex w-full items-center gap-2.5 rounded-md px-2 py-1.5">{summary}</div>;
  }

  function choose(teamId: string) {
    if (teamId === current?.id) return;
    startTransition(async () => {
      const result = await switchTeam(teamId);
      if (result?.error) toast.error(result.error);
    });
  }

  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        aria-label={`Current team: ${current.name}. Switch team`}
        className={cn(
          "flex w-full items-center gap-2.5 rounded-md px-2 py-1.5 transition-colors hover:bg-zinc-200/50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900/20",
          pending && "opacity-60",
        )}
      >
        {summary}
        <ChevronsUpDown className="size-4 shrink-0 text-zinc-400" aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" className="w-64">
        <DropdownMenuLabel>Teams</DropdownMenuLabel>
        {teams.map((team) => (
          <DropdownMenuItem key={team.id} onSelect={() => choose(team.id)}>
            <TeamAvatar name={team.name} />
            <span className="min-w-0 flex-1 truncate">{team.name}</span>
            {team.current ? <Check className="!text-zinc-900" aria-label="Current team" /> : null}
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
