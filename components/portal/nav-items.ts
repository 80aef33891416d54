import { Activity, Boxes, Container, FileKey, Globe, KeyRound, LayoutDashboard, LogIn, ScrollText, UserCog, Users, Webhook, type LucideIcon } from "lucide-react";

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
export const navItems: NavItem[] = [
  { href: "/dashboard", label: "Dashboard", icon: LayoutDashboard, group: "main" },
  { href: "/apps", label: "Apps", icon: Boxes, group: "main" },
  { href: "/customers", label: "Customers", icon: Users, group: "main" },
  { href: "/pulls", label: "Pulls", icon: Activity, group: "main" },
  { href: "/audit", label: "Audit log", icon: ScrollText, group: "main" },
  { href: "/settings/members", label: "Members", icon: UserCog, group: "settings" },
  { href: "/settings/tokens", label: "API tokens", icon: KeyRound, group: "settings" },
  { href: "/settings/registries", label: "Registries", icon: Container, group: "settings" },
  { href: "/settings/domains", label: "Custom domains", icon: Globe, group: "settings" },
  { href: "/settings/sso", label: "Single sign-on", icon: LogIn, group: "settings" },
  { href: "/settings/signing-keys", label: "Signing keys", icon: FileKey, group: "settings" },
  { href: "/settings/webhooks", label: "Webhooks", icon: Webhook, group: "settings" },
];
