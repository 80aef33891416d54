import { Badge, type BadgeProps } from "@/components/ui/badge";
import type { LicenseStatus } from "@/lib/licenses/license-status";

/** One badge for the one status rule (getLicenseStatus): Active, Expires in N days, Expired, Access off, Archived. */
export function LicenseStatusBadge({ status, label, className }: { status: LicenseStatus; label: string; className?: string }) {
  let variant: BadgeProps["variant"] = "success";
  if (status === "active" && label !== "Active") variant = "warning";
  else if (status === "expired") variant = "danger";
  else if (status === "disabled") variant = "neutral";
  else if (status === "archived") variant = "outline";
  return (
    <Badge variant={variant} className={className} data-testid="license-status">
      <span
        aria-hidden
        className={
          "size-1.5 rounded-full " +
          (variant === "success" ? "bg-emerald-500" : variant === "warning" ? "bg-amber-500" : variant === "danger" ? "bg-red-500" : "bg-zinc-400")
        }
      />
      {label}
    </Badge>
  );
}
