import { CircleAlert, CircleCheck, Clock } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import type { DomainStatusName } from "@/lib/domains/domain-dto";

const LOOK = {
  pending: { variant: "warning", label: "Pending", Icon: Clock },
  verified: { variant: "success", label: "Verified", Icon: CircleCheck },
  failed: { variant: "danger", label: "Failed", Icon: CircleAlert },
} as const;

export function DomainStatusBadge({ status }: { status: DomainStatusName }) {
  const { variant, label, Icon } = LOOK[status];
  return (
    <Badge variant={variant} data-testid="domain-status">
      <Icon aria-hidden />
      {label}
    </Badge>
  );
}
