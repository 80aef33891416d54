import { runExclusively } from "@/lib/db/advisory-lock";
import { recheckPendingDomains, type RecheckResult } from "@/lib/domains/recheck-pending-domains";

export type DomainRecheckLog = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
};

/**
 * Runs recheckPendingDomains every `intervalMs` (the proxy process starts it;
 * see README "Custom domains and TLS"). A run never overlaps the previous one;
 * the timer does not keep the process alive.
 */
export function startDomainRechecks(options: { intervalMs: number; log: DomainRecheckLog }): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      // With N proxy replicas one checker runs at a time (the others skip the round); each domain
      // is also claimed on its own, so even overlapping runs never check one twice.
      const run = await runExclusively("domain-recheck", () => recheckPendingDomains());
      const result: RecheckResult | null = run.ran ? run.result : null;
      if (result && result.checked > 0) options.log.info(result, "custom domains re-checked");
    } catch (err) {
      options.log.warn({ err: (err as Error).message }, "custom domain re-check failed; will retry");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  const first = setTimeout(() => void tick(), Math.min(5_000, options.intervalMs));
  first.unref();
  return {
    stop() {
      clearInterval(timer);
      clearTimeout(first);
    },
  };
}
