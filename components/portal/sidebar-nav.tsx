"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { navItems, type NavItem } from "@/components/portal/nav-items";
import { cn } from "@/lib/utils/cn";

function isActive(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}

function NavLink({ item, active, onNavigate }: { item: NavItem; active: boolean; onNavigate?: () => void }) {
  const Icon = item.icon;
  return (
    // No prefetch: every portal page is dynamic, so a prefetch brings only the route tree, yet the
    // dozen nav links cost the server a dozen requests (10-15 ms each) on every page load.
    <Link
      href={item.href}
      prefetch={false}
      onClick={onNavigate}
      aria-current={active ? "page" : undefined}
      className={cn(
        "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors",
        active ? "bg-zinc-200/70 text-zinc-900" : "text-zinc-600 hover:bg-zinc-200/40 hover:text-zinc-900",
      )}
    >
      <Icon className={cn("size-4", active ? "text-zinc-900" : "text-zinc-500")} aria-hidden />
      {item.label}
    </Link>
  );
}

export function SidebarNav({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  // The longest matching entry wins, so /settings/tokens does not also light up /settings.
  const matches = navItems.filter((i) => isActive(pathname, i.href)).sort((a, b) => b.href.length - a.href.length);
  const activeHref = matches[0]?.href;
  const main = navItems.filter((i) => (i.group ?? "main") === "main");
  const settings = navItems.filter((i) => i.group === "settings");
  const render = (item: NavItem) => (
    <li key={item.href}>
      <NavLink item={item} active={item.href === activeHref} onNavigate={onNavigate} />
    </li>
  );
  return (
    <nav aria-label="Main" className="flex flex-1 flex-col gap-6">
      <ul className="grid gap-0.5">{main.map(render)}</ul>
      {settings.length > 0 ? (
        <div>
          <p className="mb-1 px-2.5 text-xs font-medium text-zinc-400">Settings</p>
          <ul className="grid gap-0.5">{settings.map(render)}</ul>
        </div>
      ) : null}
    </nav>
  );
}
