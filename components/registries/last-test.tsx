import { Badge } from "@/components/ui/badge";
import { CONNECTION_STATUS_LABELS } from "@/lib/registries/providers";
import type { RegistryDto } from "@/lib/registries/registry-dto";

function formatTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** When the registry was last tested and how it went. */
export function LastTest({ registry }: { registry: Pick<RegistryDto, "lastTestedAt" | "lastTestStatus" | "lastTestMessage"> }) {
  if (!registry.lastTestedAt || !registry.lastTestStatus) {
    return <span className="text-sm text-zinc-500">Never tested</span>;
  }
  const ok = registry.lastTestStatus === "connected";
  return (
    <div className="grid gap-1" data-testid="last-test">
      <div className="flex flex-wrap items-center gap-2">
        <Badge variant={ok ? "success" : "danger"}>{CONNECTION_STATUS_LABELS[registry.lastTestStatus] ?? registry.lastTestStatus}</Badge>
        <time dateTime={registry.lastTestedAt} className="text-[13px] text-zinc-500">
          {formatTime(registry.lastTestedAt)}
        </time>
      </div>
      {registry.lastTestMessage ? <p className="text-[13px] text-zinc-600">{registry.lastTestMessage}</p> : null}
    </div>
  );
}
