"use client";

import * as React from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Menu, X } from "lucide-react";
import { Logo } from "@/components/portal/logo";
import { SidebarNav } from "@/components/portal/sidebar-nav";
import { TeamSwitcher } from "@/components/portal/team-switcher";
import { UserMenu } from "@/components/portal/user-menu";
import { Button } from "@/components/ui/button";
import type { MyTeam, SessionUser } from "@/lib/auth/session";
import { cn } from "@/lib/utils/cn";

type PortalShellProps = { user: SessionUser; teams: MyTeam[]; children: React.ReactNode };

function SidebarBody({ teams, onNavigate }: { teams: MyTeam[]; onNavigate?: () => void }) {
  return (
    <div className="flex h-full flex-col gap-4 px-3 pb-4">
      <div className="-mx-1">
        <TeamSwitcher teams={teams} />
      </div>
      <SidebarNav onNavigate={onNavigate} />
    </div>
  );
}

/** Sidebar on wide screens; on narrow ones a top bar with a menu button opening the same sidebar as a drawer. */
export function PortalShell({ user, teams, children }: PortalShellProps) {
  const [open, setOpen] = React.useState(false);
  const pathname = usePathname();
  const [lastPath, setLastPath] = React.useState(pathname);
  if (pathname !== lastPath) {
    // Navigating closes the drawer.
    setLastPath(pathname);
    setOpen(false);
  }

  React.useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <div className="min-h-dvh bg-zinc-50">
      {/* Desktop sidebar */}
      <aside className="fixed inset-y-0 left-0 z-30 hidden w-60 flex-col border-r border-zinc-200 bg-zinc-100/60 lg:flex">
        <div className="flex h-14 items-center px-5">
          <Link href="/dashboard" aria-label="Pullgate dashboard">
            <Logo />
          </Link>
        </div>
        <SidebarBody teams={teams} />
      </aside>

      {/* Mobile drawer */}
      <div className={cn("fixed inset-0 z-40 lg:hidden", open ? "" : "pointer-events-none")} aria-hidden={!open}>
        <div
          className={cn("absolute inset-0 bg-zinc-950/30 transition-opacity", open ? "opacity-100" : "opacity-0")}
          onClick={() => setOpen(false)}
        />
        <aside
          id="mobile-sidebar"
          aria-label="Navigation"
          className={cn(
            "absolute inset-y-0 left-0 flex w-72 max-w-[85vw] flex-col border-r border-zinc-200 bg-zinc-50 shadow-xl transition-transform",
            open ? "translate-x-0" : "-translate-x-full",
          )}
          inert={!open}
        >
          <div className="flex h-14 items-center justify-between px-4">
            <Logo />
            <Button variant="ghost" size="icon-sm" onClick={() => setOpen(false)} aria-label="Close navigation">
              <X aria-hidden />
            </Button>
          </div>
          <SidebarBody teams={teams} onNavigate={() => setOpen(false)} />
        </aside>
      </div>

      <div className="lg:pl-60">
        <header className="sticky top-0 z-20 flex h-14 items-center gap-3 border-b border-zinc-200 bg-white/85 px-4 backdrop-blur sm:px-6">
          <Button
            variant="ghost"
            size="icon-sm"
            className="lg:hidden"
            onClick={() => setOpen(true)}
            aria-label="Open navigation"
            aria-expanded={open}
            aria-controls="mobile-sidebar"
          >
            <Menu aria-hidden />
          </Button>
          <Link href="/dashboard" className="lg:hidden" aria-label="Pullgate dashboard">
            <Logo />
          </Link>
          <div className="ml-auto flex items-center gap-3">
            <span className="hidden text-sm text-zinc-500 sm:inline">{user.email}</span>
            <UserMenu user={user} />
          </div>
        </header>
        <main className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">{children}</main>
      </div>
    </div>
  );
}
