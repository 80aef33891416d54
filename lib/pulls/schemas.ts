import { z } from "zod";
import { PULL_DENIAL_REASONS } from "@/lib/licenses/decide-pull";

export const pullActions = ["token", "manifest", "blob", "tags", "referrers"] as const;
/**
 * success: served; denied: refused by the license or its credential
 * (expired, access_off, archived, not_in_license, wrong_app, bad_credentials);
 * not_found: the image, tag or app is not there; upstream_error: the vendor's
 * registry failed; error: any other failure (a malformed range, …).
 */
export const pullOutcomes = ["success", "denied", "not_found", "upstream_error", "error"] as const;
export type PullOutcome = (typeof pullOutcomes)[number];
/** pulls: one row per pull (proxy/pull-counting.ts); requests: the raw request log. */
export const pullKinds = ["pulls", "requests"] as const;
export type PullKind = (typeof pullKinds)[number];
export { PULL_DENIAL_REASONS as pullReasons };

const isoDateTime = (example: string) => z.iso.datetime({ offset: true, error: `Must be an ISO 8601 date-time, e.g. ${example}.` });

const filters = {
  kind: z.enum(pullKinds, { error: `Must be one of: ${pullKinds.join(", ")}.` }).optional(),
  customerId: z.string().trim().min(1).max(100).optional(),
  appId: z.string().trim().min(1).max(100).optional(),
  /** A fragment of the repository path, e.g. `acme/api`. */
  image: z.string().trim().min(1).max(255).optional(),
  action: z.enum(pullActions, { error: `Must be one of: ${pullActions.join(", ")}.` }).optional(),
  outcome: z.enum(pullOutcomes, { error: `Must be one of: ${pullOutcomes.join(", ")}.` }).optional(),
  reason: z.enum(PULL_DENIAL_REASONS, { error: `Must be one of: ${PULL_DENIAL_REASONS.join(", ")}.` }).optional(),
  since: isoDateTime("2026-11-01T00:00:00Z").optional(),
  until: isoDateTime("2026-11-30T00:00:00Z").optional(),
};

/** Filters for the Pulls page and GET /api/v1/pulls (one schema for both). */
export const listPullsQuerySchema = z.strictObject({
  ...filters,
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number({ error: "Must be a number." }).int().min(1, "Must be at least 1.").max(200, "Must be at most 200.").optional(),
});

export type ListPullsQuery = z.infer<typeof listPullsQuerySchema>;

/** The widest time range one CSV export covers. */
export const MAX_EXPORT_DAYS = 92;
const DAY_MS = 86_400_000;

/**
 * GET /api/v1/pulls.csv: the same filters, for a bounded time range
 * (default: the 7 days up to `until`, which defaults to now).
 */
export const exportPullsFiltersSchema = z.strictObject(filters);

export const exportPullsQuerySchema = exportPullsFiltersSchema.transform((q, ctx) => {
    const until = q.until ? new Date(q.until) : new Date();
    const since = q.since ? new Date(q.since) : new Date(until.getTime() - 7 * DAY_MS);
    if (since.getTime() > until.getTime()) {
      ctx.addIssue({ code: "custom", path: ["since"], message: "Must not be after until." });
      return z.NEVER;
    }
    if (until.getTime() - since.getTime() > MAX_EXPORT_DAYS * DAY_MS) {
      ctx.addIssue({ code: "custom", path: ["since"], message: `The range may span at most ${MAX_EXPORT_DAYS} days: export longer periods in parts.` });
      return z.NEVER;
    }
    return { ...q, since: since.toISOString(), until: until.toISOString() };
  });

export type ExportPullsQuery = z.output<typeof exportPullsQuerySchema>;
