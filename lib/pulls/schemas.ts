import { z } from "zod";

export const pullActions = ["token", "manifest", "blob", "tags", "referrers"] as const;
export const pullOutcomes = ["success", "denied", "error"] as const;

/** Filters for the Pulls page and GET /api/v1/pulls (one schema for both). */
export const listPullsQuerySchema = z.strictObject({
  customerId: z.string().trim().min(1).max(100).optional(),
  appId: z.string().trim().min(1).max(100).optional(),
  /** A fragment of the repository path, e.g. `acme/api`. */
  image: z.string().trim().min(1).max(255).optional(),
  action: z.enum(pullActions, { error: `Must be one of: ${pullActions.join(", ")}.` }).optional(),
  /** success = 2xx/3xx, denied = 401/403/404/429, error = anything else. */
  outcome: z.enum(pullOutcomes, { error: `Must be one of: ${pullOutcomes.join(", ")}.` }).optional(),
  since: z.iso.datetime({ offset: true, error: "Must be an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z." }).optional(),
  until: z.iso.datetime({ offset: true, error: "Must be an ISO 8601 date-time, e.g. 2026-11-30T00:00:00Z." }).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number({ error: "Must be a number." }).int().min(1, "Must be at least 1.").max(200, "Must be at most 200.").optional(),
});

export type ListPullsQuery = z.infer<typeof listPullsQuerySchema>;
