import { z } from "zod";

export const auditTargetTypes = ["app", "customer", "license", "member", "api_token", "registry", "domain", "team", "invitation", "user", "webhook"] as const;

export const listAuditEventsQuerySchema = z.strictObject({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  targetType: z.enum(auditTargetTypes).optional(),
  action: z.string().max(100).optional(),
  /** Actor id (user or token id) or a fragment of the actor label (e.g. an email). */
  actor: z.string().max(200).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export type ListAuditEventsQuery = z.infer<typeof listAuditEventsQuerySchema>;
