import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { getEntitlementSchema, setEntitlementSchema } from "@/lib/apps/entitlement-schema-admin";
import type { EntitlementSchemaInput } from "@/lib/apps/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => getEntitlementSchema(actor, params.id!));

export const PUT = apiHandler({ body: jsonObjectBody }, async ({ actor, params, body }) => setEntitlementSchema(actor, params.id!, body as EntitlementSchemaInput));

export const { POST, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "PUT"]);
