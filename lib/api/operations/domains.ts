import { z } from "zod";
import { component, defineOperation } from "@/lib/api/define-operation";
import { createDomainSchema } from "@/lib/domains/schemas";
import type { DomainDto } from "@/lib/domains/domain-dto";

const domainSchema = component(
  "Domain",
  z.object({
    id: z.string(),
    hostname: z.string().describe("Lower-case; internationalized names as punycode."),
    appId: z.string().nullable().describe("Serve only this app on the domain (null: every app of the team)."),
    status: z.enum(["pending", "verified", "failed"]),
    verification: z.object({ type: z.literal("TXT"), name: z.string(), value: z.string() }).describe("The TXT record that proves ownership."),
    cnameTarget: z.string().describe("Point a CNAME for the hostname here: the default proxy host."),
    cnameWarning: z.string().nullable(),
    verifiedAt: z.iso.datetime().nullable(),
    lastCheckedAt: z.iso.datetime().nullable(),
    failureReason: z.string().nullable(),
    isDefault: z.boolean(),
  }) satisfies z.ZodType<DomainDto>,
);

component("CreateDomain", createDomainSchema);

const domainBody = z.object({ domain: domainSchema });

export const domainOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/domains",
    summary: "List custom domains",
    response: { description: "Domains", schema: z.object({ domains: z.array(domainSchema) }) },
    errors: [401],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/domains",
    summary: "Add a custom domain (pending until its TXT record is verified)",
    description:
      "Several teams may claim a hostname; the first to prove its TXT record gets it and the other pending claims are closed (status failed, with the reason). " +
      "409 when another team has verified the hostname, or this team has already added it.",
    body: createDomainSchema,
    response: { status: 201, description: "Added", schema: domainBody },
    errors: [400, 401, 403, 409],
  }),
  defineOperation({ method: "get", path: "/api/v1/domains/{id}", summary: "Get a custom domain", response: { description: "Domain", schema: domainBody }, errors: [401, 404] }),
  defineOperation({
    method: "delete",
    path: "/api/v1/domains/{id}",
    summary: "Remove a custom domain",
    response: { status: 204, description: "Removed" },
    errors: [401, 403, 404],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/domains/{id}/verify",
    summary: "Check the DNS records now",
    response: { description: "The domain after the check", schema: domainBody },
    errors: [401, 403, 404],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/domains/{id}/default",
    summary: "Make a verified domain the team's default host",
    response: { description: "Domain", schema: domainBody },
    errors: [401, 403, 404, 409],
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/domains/{id}/default",
    summary: "Stop using the domain as the default host",
    response: { description: "Domain", schema: domainBody },
    errors: [401, 403, 404],
  }),
];
