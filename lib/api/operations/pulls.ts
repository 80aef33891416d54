import { z } from "zod";
import { component, defineOperation, pageOf } from "@/lib/api/define-operation";
import { exportPullsQuerySchema, listPullsQuerySchema, MAX_EXPORT_DAYS, pullActions, pullOutcomes, pullReasons } from "@/lib/pulls/schemas";
import type { PullEventDto } from "@/lib/pulls/pull-event-dto";

const pullEventSchema = component(
  "PullEvent",
  z.object({
    id: z.string(),
    time: z.iso.datetime(),
    appId: z.string().nullable(),
    customerId: z.string().nullable(),
    customerName: z.string().nullable(),
    action: z.enum(pullActions),
    method: z.string(),
    repository: z.string(),
    reference: z.string().nullable().describe("The tag or digest as requested."),
    digest: z.string().nullable(),
    tag: z.string().nullable().describe("The tag pulled; for a GET by digest, the tag the same client resolved to it."),
    status: z.number().int(),
    isPull: z
      .boolean()
      .describe("One pull by the counting rule: a manifest GET of a top-level reference by one client within 60 s; an index and its platform manifests are one pull."),
    outcome: z.enum(pullOutcomes),
    reason: z.enum(pullReasons).nullable().describe("Why it was refused or failed; null when it succeeded."),
    bytes: z.number().int(),
    cacheHit: z.boolean(),
    clientIp: z.string().nullable(),
    userAgent: z.string().nullable(),
    durationMs: z.number().int(),
    upstreamError: z
      .string()
      .nullable()
      .describe("Which host of the vendor's registry failed and how; customers were told only that it is unreachable."),
  }) satisfies z.ZodType<PullEventDto>,
);

export const pullOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/pulls",
    summary: "Pulls (default) or the raw request log (kind=requests), newest first",
    query: listPullsQuerySchema,
    response: { description: "A page of pull events", schema: pageOf("pulls", pullEventSchema) },
    errors: [400, 401],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/pulls.csv",
    summary: `Pulls (or, with kind=requests, every request) of a time range as CSV, oldest first (at most ${MAX_EXPORT_DAYS} days; default the last 7)`,
    query: exportPullsQuerySchema,
    response: { description: "Streamed CSV; text cells are quoted and formula-like cells prefixed with '", contentType: "text/csv" },
    errors: [400, 401],
  }),
];
