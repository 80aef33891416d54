import { apiHandler } from "@/lib/api/api-handler";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { listAuditEventsQuerySchema } from "@/lib/audit/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({ query: listAuditEventsQuerySchema }, async ({ actor, query }) => listAuditEvents(actor, query));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
