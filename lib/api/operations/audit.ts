import { z } from "zod";
import { component, defineOperation, pageOf } from "@/lib/api/define-operation";
import { auditTargetTypes, listAuditEventsQuerySchema } from "@/lib/audit/schemas";
import type { AuditEventDto } from "@/lib/audit/list-audit-events";

const auditEventSchema = component(
  "AuditEvent",
  z.object({
    id: z.string(),
    time: z.iso.datetime(),
    actor: z.object({ id: z.string().nullable(), label: z.string() }),
    action: z.string(),
    targetType: z.enum(auditTargetTypes),
    targetId: z.string().nullable(),
    targetName: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
  }) satisfies z.ZodType<AuditEventDto>,
);

export const auditOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/audit-events",
    summary: "Audit log, newest first",
    query: listAuditEventsQuerySchema,
    response: { description: "A page of events", schema: pageOf("events", auditEventSchema) },
    errors: [400, 401],
  }),
];
