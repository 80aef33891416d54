import { LayoutDashboard, type LucideIcon } from "lucide-react";

export type NavItem = {
  href: string;
  label: string;
  icon: LucideIcon;
  /** "main" entries on top, "settings" entries in the lower group of the sidebar. */
  group?: "main" | "settings";
};

/**
 * The portal's sidebar. One array so each feature appends its own entry
 * (Apps, Customers, Registries, Audit log, Settings…) next to its pages.
 */
export const navItems: NavItem[] = [{ href: "/dashboard", label: "Dashboard", icon: LayoutDashboard, group: "main" }];
