import { z } from "zod";
import { defineOperation, type Operation } from "@/lib/api/define-operation";
import { appOperations } from "@/lib/api/operations/apps";
import { customerOperations } from "@/lib/api/operations/customers";
import { domainOperations } from "@/lib/api/operations/domains";
import { registryOperations } from "@/lib/api/operations/registries";
import { pullOperations } from "@/lib/api/operations/pulls";
import { auditOperations } from "@/lib/api/operations/audit";
import { tokenOperations } from "@/lib/api/operations/tokens";
import { memberOperations } from "@/lib/api/operations/members";
import { licensingOperations } from "@/lib/api/operations/licensing";
import { webhookOperations } from "@/lib/api/operations/webhooks";

/** Every /api/v1 operation, in the order the document lists them. */
export const operations: Operation[] = [
  ...appOperations,
  ...customerOperations,
  ...domainOperations,
  ...registryOperations,
  ...pullOperations,
  ...auditOperations,
  ...tokenOperations,
  ...memberOperations,
  ...licensingOperations,
  ...webhookOperations,
  defineOperation({
    method: "get",
    path: "/api/v1/openapi.json",
    summary: "This document",
    auth: "none",
    response: { description: "OpenAPI 3.1", schema: z.record(z.string(), z.unknown()) },
  }),
];
