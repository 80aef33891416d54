import { Badge } from "@/components/ui/badge";
import type { PullDenialReason } from "@/lib/licenses/decide-pull";
import type { PullOutcome } from "@/lib/pulls/schemas";

export const OUTCOME_LABELS: Record<PullOutcome, string> = {
  success: "Pulled",
  denied: "Denied",
  not_found: "Not found",
  upstream_error: "Upstream error",
  error: "Failed",
};

export const REASON_LABELS: Record<PullDenialReason, string> = {
  expired: "license expired",
  access_off: "access off",
  archived: "customer archived",
  not_in_license: "image not in license",
  wrong_app: "license of another app",
  not_found: "not found",
  bad_credentials: "wrong license ID",
  upstream_error: "vendor registry failed",
};

const VARIANT: Record<PullOutcome, "success" | "warning" | "danger" | "neutral"> = {
  success: "success",
  denied: "warning",
  not_found: "neutral",
  upstream_error: "danger",
  error: "danger",
};

/** What happened to a pull: "Pulled", "Denied · license expired", "Not found"… */
export function OutcomeBadge({ outcome, reason, status }: { outcome: PullOutcome; reason: PullDenialReason | null; status?: number }) {
  const detail = outcome === "denied" && reason ? REASON_LABELS[reason] : outcome === "error" && status ? String(status) : null;
  return (
    <Badge variant={VARIANT[outcome]} data-outcome={outcome} data-reason={reason ?? undefined}>
      {OUTCOME_LABELS[outcome]}
      {detail ? <span className="font-normal">· {detail}</span> : null}
    </Badge>
  );
}
