import { z } from "zod";
import { createAppSchema, entitlementSchemaInputSchema, entitlementSchemaResponseSchema, renameAppSchema } from "@/lib/apps/schemas";
import { createCustomerSchema, customerTypes, listCustomersQuerySchema, updateCustomerSchema } from "@/lib/customers/schemas";
import { auditTargetTypes, listAuditEventsQuerySchema } from "@/lib/audit/schemas";
import { createDomainSchema } from "@/lib/domains/schemas";
import { createRegistrySchema, REGISTRY_PROVIDERS, testRegistrySchema, updateRegistrySchema } from "@/lib/registries/schemas";
import { exportPullsFiltersSchema, listPullsQuerySchema, MAX_EXPORT_DAYS, pullActions, pullOutcomes, pullReasons } from "@/lib/pulls/schemas";
import { addAppRepositorySchema } from "@/lib/catalog/schemas";
import { jwkSetSchema, rotateSigningKeyResultSchema } from "@/lib/signing-keys/schemas";
import { createWebhookSchema, listDeliveriesQuerySchema, updateWebhookSchema, webhookDeliveryDtoSchema, webhookDtoSchema, webhookEventTypes } from "@/lib/webhooks/schemas";
import type { AppRepositoryDto } from "@/lib/catalog/app-repositories";
import type { AppCatalogDto } from "@/lib/catalog/app-catalog";
import type { InstallInstructions } from "@/lib/customers/get-install-instructions";
import type { AppDto } from "@/lib/apps/app-dto";
import type { CustomerDto } from "@/lib/customers/customer-dto";
import type { AuditEventDto } from "@/lib/audit/list-audit-events";
import type { DomainDto } from "@/lib/domains/domain-dto";
import type { RegistryDto } from "@/lib/registries/registry-dto";
import type { PullEventDto } from "@/lib/pulls/pull-event-dto";

// The OpenAPI 3.1 document of /api/v1, generated from the same zod schemas
// the routes validate with, so the document cannot drift from the behaviour.
// Response shapes are written out here; `satisfies z.ZodType<…Dto>` makes
// tsc fail when a DTO gains or changes a field the document does not show.

const appSchema = z.object({ id: z.string(), name: z.string(), slug: z.string(), createdAt: z.iso.datetime() }) satisfies z.ZodType<AppDto>;

const licenseSchema = z.object({
  licenseId: z.string().describe("27-character base62 license ID: the customer's registry password."),
  expiresAt: z.iso.datetime().nullable(),
  registryAccess: z.boolean(),
  imagePatterns: z.array(z.string()),
  entitlements: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  status: z.enum(["active", "expired", "disabled", "archived"]),
});

const customerSchema = z.object({
  id: z.string(),
  appId: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  customId: z.string().nullable(),
  type: z.enum(customerTypes),
  channel: z.string().nullable(),
  archivedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  lastPullAt: z.iso.datetime().nullable().describe("The latest successful pull (updated by the proxy at most once a minute); null: never pulled."),
  license: licenseSchema,
}) satisfies z.ZodType<CustomerDto>;

const auditEventSchema = z.object({
  id: z.string(),
  time: z.iso.datetime(),
  actor: z.object({ id: z.string().nullable(), label: z.string() }),
  action: z.string(),
  targetType: z.enum(auditTargetTypes),
  targetId: z.string().nullable(),
  targetName: z.string().nullable(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
}) satisfies z.ZodType<AuditEventDto>;

const domainSchema = z.object({
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
}) satisfies z.ZodType<DomainDto>;

const registrySchema = z
  .object({
    id: z.string(),
    provider: z.enum(REGISTRY_PROVIDERS),
    endpoint: z.string().describe("host[:port] of the registry (Docker Hub: index.docker.io)."),
    name: z.string().nullable().describe("Alias usable in image paths instead of the host."),
    username: z.string(),
    allowHttp: z.boolean(),
    allApps: z.boolean(),
    appIds: z.array(z.string()).nullable().describe("null: every app of the team may use it."),
    lastTestedAt: z.iso.datetime().nullable(),
    lastTestStatus: z.string().nullable(),
    lastTestMessage: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .describe("A linked registry. The secret is write-only: never returned.") satisfies z.ZodType<RegistryDto>;

const pullEventSchema = z.object({
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
  isPull: z.boolean().describe("One pull by the counting rule: a manifest GET of a top-level reference by one client within 60 s; an index and its platform manifests are one pull."),
  outcome: z.enum(pullOutcomes),
  reason: z.enum(pullReasons).nullable().describe("Why it was refused or failed; null when it succeeded."),
  bytes: z.number().int(),
  cacheHit: z.boolean(),
  clientIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  durationMs: z.number().int(),
  upstreamError: z.string().nullable().describe("Which host of the vendor's registry failed and how; customers were told only that it is unreachable."),
}) satisfies z.ZodType<PullEventDto>;

const appRepositorySchema = z.object({
  id: z.string(),
  appId: z.string(),
  registryId: z.string(),
  repository: z.string().describe("Path within the registry, e.g. acme/api."),
  createdAt: z.iso.datetime(),
}) satisfies z.ZodType<AppRepositoryDto>;

const catalogRegistrySchema = z.object({
  id: z.string(),
  provider: z.string(),
  endpoint: z.string(),
  name: z.string().nullable(),
  segment: z.string().nullable().describe("How image paths name the registry (alias, else host); null when it needs an alias (see problem)."),
  problem: z.string().nullable(),
  source: z.enum(["catalog", "listed"]).describe("catalog: the registry's /v2/_catalog is read; listed: only the repositories listed for the app."),
  catalogError: z.string().nullable(),
  unavailableReason: z.string().nullable(),
  checkedAt: z.iso.datetime().nullable(),
  stale: z.boolean().describe("Served from the last known answer because the registry could not be read."),
  truncated: z.boolean(),
});

const appCatalogSchema = z.object({
  appId: z.string(),
  appSlug: z.string(),
  registries: z.array(catalogRegistrySchema),
  images: z.array(
    z.object({
      registryId: z.string(),
      segment: z.string(),
      repository: z.string(),
      image: z.string().describe("<segment>/<repository>: the path after proxy/<app>/."),
      listedId: z.string().nullable().describe("Set when listed for the app (DELETE /api/v1/apps/{id}/repositories/{listedId})."),
      inCatalog: z.boolean(),
      tags: z.array(z.string()).nullable().describe("Read for the first 100 images; null beyond."),
      tagsError: z.string().nullable(),
    }),
  ),
}) satisfies z.ZodType<AppCatalogDto>;

const installSchema = z
  .object({
    customerId: z.string(),
    appId: z.string(),
    appSlug: z.string(),
    hosts: z.array(z.string()).describe("Proxy hosts, the default first."),
    username: z.string(),
    dockerLogin: z.string(),
    dockerconfigjson: z.string(),
    secretYaml: z.string(),
    helmValues: z.string(),
    mayPull: z.boolean(),
    refusal: z.string().nullable(),
    images: z.array(
      z.object({
        registryId: z.string(),
        segment: z.string(),
        repository: z.string(),
        reference: z.string().describe("<default host>/proxy/<app>/<alias or host>/<repository>"),
        tags: z.array(z.string()),
        tagsTruncated: z.boolean(),
        tagsError: z.string().nullable(),
        tag: z.string().nullable(),
        pull: z.string().nullable().describe("docker pull <reference>:<tag>"),
      }),
    ),
    moreImages: z.number().int(),
    registries: z.array(catalogRegistrySchema.omit({ truncated: true })),
    rewriteRegistries: z.array(z.object({ provider: z.string(), endpoint: z.string(), name: z.string().nullable(), usable: z.boolean() })),
  })
  .describe("Contains the license ID (in dockerLogin and the pull secret): hand it only to this customer.") satisfies z.ZodType<InstallInstructions>;

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

function schema(s: z.ZodType, io: "input" | "output" = "output"): Record<string, unknown> {
  const json = z.toJSONSchema(s, { io, unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const json = (s: z.ZodType | Record<string, unknown>, io: "input" | "output" = "output") => ({
  content: { "application/json": { schema: s instanceof z.ZodType ? schema(s, io) : s } },
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A JSON body holding one schema under a key, e.g. { "app": App }. */
const envelope = (key: string, name: string) => json({ type: "object", properties: { [key]: ref(name) } });

/** A JSON body holding an array under a key, e.g. { "apps": [App] }. */
const list = (key: string, name: string) => json({ type: "object", properties: { [key]: { type: "array", items: ref(name) } } });

/** A keyset-paginated list: the array plus the cursor of the next page. */
const page = (key: string, name: string) =>
  json({ type: "object", properties: { [key]: { type: "array", items: ref(name) }, nextCursor: { type: ["string", "null"] } } });

function errors(...statuses: number[]) {
  const text: Record<number, string> = {
    400: "Invalid request: issues name each offending field.",
    401: "Missing, invalid or revoked API token.",
    403: "The token's user is a read-only member.",
    404: "Not found (or belongs to another team).",
    409: "Conflict.",
    503: "The database is temporarily unavailable (code `unavailable`): nothing was changed; retry after the Retry-After seconds.",
  };
  // Every operation reads the database, so every one may answer 503.
  return Object.fromEntries([...statuses, 503].map((s) => [String(s), { description: text[s], ...json(ref("Error")) }]));
}

function queryParameters(s: z.ZodObject) {
  const js = schema(s, "input") as { properties?: Record<string, unknown> };
  return Object.entries(js.properties ?? {}).map(([name, prop]) => ({ name, in: "query", required: false, schema: prop }));
}

const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];

export function buildOpenApiDocument(serverUrl = "/"): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Pullgate API",
      version: "1.0.0",
      description: "Manage apps, customers and their registry licenses. Authenticate with `Authorization: Bearer <api token>`.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } },
      schemas: {
        App: schema(appSchema),
        Customer: schema(customerSchema),
        JwkSet: schema(jwkSetSchema),
        EntitlementSchema: schema(entitlementSchemaResponseSchema),
        SetEntitlementSchema: schema(entitlementSchemaInputSchema, "input"),
        Webhook: schema(webhookDtoSchema),
        WebhookDelivery: schema(webhookDeliveryDtoSchema),
        CreateWebhook: schema(createWebhookSchema, "input"),
        UpdateWebhook: schema(updateWebhookSchema, "input"),
        AuditEvent: schema(auditEventSchema),
        Error: schema(errorSchema),
        CreateApp: schema(createAppSchema, "input"),
        RenameApp: schema(renameAppSchema, "input"),
        CreateCustomer: schema(createCustomerSchema, "input"),
        Domain: schema(domainSchema),
        CreateDomain: schema(createDomainSchema, "input"),
        UpdateCustomer: schema(updateCustomerSchema, "input"),
        Registry: schema(registrySchema),
        CreateRegistry: schema(createRegistrySchema, "input"),
        UpdateRegistry: schema(updateRegistrySchema, "input"),
        TestRegistry: schema(testRegistrySchema, "input"),
        PullEvent: schema(pullEventSchema),
        AppRepository: schema(appRepositorySchema),
        AddAppRepository: schema(addAppRepositorySchema, "input"),
        AppCatalog: schema(appCatalogSchema),
        InstallInstructions: schema(installSchema),
      },
    },
    paths: {
      "/api/v1/apps": {
        get: { summary: "List apps", responses: { 200: { description: "Apps", ...list("apps", "App") }, ...errors(401) } },
        post: {
          summary: "Create an app",
          requestBody: { required: true, ...json(ref("CreateApp")) },
          responses: { 201: { description: "Created", ...envelope("app", "App") }, ...errors(400, 401, 403, 409) },
        },
      },
      "/api/v1/apps/{id}": {
        parameters: idParam,
        get: { summary: "Get an app", responses: { 200: { description: "App", ...envelope("app", "App") }, ...errors(401, 404) } },
        patch: {
          summary: "Rename an app",
          requestBody: { required: true, ...json(ref("RenameApp")) },
          responses: { 200: { description: "Renamed", ...envelope("app", "App") }, ...errors(400, 401, 403, 404) },
        },
        delete: { summary: "Delete an app without customers", responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404, 409) } },
      },
      "/api/v1/apps/{id}/catalog": {
        parameters: idParam,
        get: {
          summary: "The app's image catalog: repositories (and tags) of each registry it may use",
          description:
            "Read from each registry's /v2/_catalog where it allows it, plus the repositories listed for the app; cached for PULLGATE_TAG_TTL seconds (the last known answer is served while a registry is down).",
          responses: { 200: { description: "Catalog", ...envelope("catalog", "AppCatalog") }, ...errors(401, 404) },
        },
      },
      "/api/v1/apps/{id}/repositories": {
        parameters: idParam,
        get: { summary: "Repositories listed for the app", responses: { 200: { description: "Repositories", ...list("repositories", "AppRepository") }, ...errors(401, 404) } },
        post: {
          summary: "List a repository for the app (for registries without /v2/_catalog)",
          requestBody: { required: true, ...json(ref("AddAppRepository")) },
          responses: { 201: { description: "Listed", ...envelope("repository", "AppRepository") }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      "/api/v1/apps/{id}/repositories/{repositoryId}": {
        parameters: [...idParam, { name: "repositoryId", in: "path", required: true, schema: { type: "string" } }],
        delete: { summary: "Remove a listed repository", responses: { 204: { description: "Removed" }, ...errors(401, 403, 404) } },
      },
      "/api/v1/customers": {
        get: {
          summary: "List customers (keyset pagination)",
          parameters: queryParameters(listCustomersQuerySchema),
          responses: {
            200: {
              description: "A page of customers",
              ...page("customers", "Customer"),
            },
            ...errors(400, 401),
          },
        },
        post: {
          summary: "Create a customer and its license",
          requestBody: { required: true, ...json(ref("CreateCustomer")) },
          responses: { 201: { description: "Created", ...envelope("customer", "Customer") }, ...errors(400, 401, 403) },
        },
      },
      "/api/v1/customers/{id}": {
        parameters: idParam,
        get: { summary: "Get a customer", responses: { 200: { description: "Customer", ...envelope("customer", "Customer") }, ...errors(401, 404) } },
        patch: {
          summary: "Change a customer and its license (expiresAt null = never)",
          requestBody: { required: true, ...json(ref("UpdateCustomer")) },
          responses: { 200: { description: "Updated", ...envelope("customer", "Customer") }, ...errors(400, 401, 403, 404) },
        },
      },
      "/api/v1/customers/{id}/archive": {
        parameters: idParam,
        post: { summary: "Archive a customer (cuts registry access)", responses: { 200: { description: "Archived", ...envelope("customer", "Customer") }, ...errors(401, 403, 404) } },
      },
      "/api/v1/customers/{id}/unarchive": {
        parameters: idParam,
        post: { summary: "Unarchive a customer (restores registry access)", responses: { 200: { description: "Unarchived", ...envelope("customer", "Customer") }, ...errors(401, 403, 404) } },
      },
      "/api/v1/customers/{id}/pull-secret": {
        parameters: idParam,
        get: {
          summary: "The customer's image pull secret",
          responses: {
            200: {
              description: "dockerconfigjson (JSON text) and a Kubernetes Secret manifest",
              ...json({ type: "object", properties: { dockerconfigjson: { type: "string" }, secretYaml: { type: "string" } } }),
            },
            ...errors(401, 404),
          },
        },
      },
      "/api/v1/apps/{id}/entitlement-schema": {
        parameters: idParam,
        get: {
          summary: "The app's entitlement schema, and the customers whose stored entitlements no longer fit it",
          responses: { 200: { description: "Schema", ...json(ref("EntitlementSchema")) }, ...errors(401, 404) },
        },
        put: {
          summary: "Replace the app's entitlement schema (fields: name, type string|number|boolean|date, default, required)",
          description:
            "Customers' entitlements are then checked against it on create and update (400 with an issue per field, path entitlements.<name>). " +
            "Stored values that no longer fit are kept and listed in `nonconforming`; an unchanged value is never refused. " +
            "Dates are YYYY-MM-DD. An empty list accepts any entitlements.",
          requestBody: { required: true, ...json(ref("SetEntitlementSchema")) },
          responses: { 200: { description: "Saved", ...json(ref("EntitlementSchema")) }, ...errors(400, 401, 403, 404) },
        },
      },
      "/api/v1/customers/{id}/license-file": {
        parameters: idParam,
        get: {
          summary: "The customer's license file: a compact JWS (EdDSA) signed now with the team's current key",
          description:
            "Claims: iss `pullgate`, teamId, licenseId, customer {id, name, customId, type}, appSlug, expiresAt (null: never), registryAccess, " +
            "imagePatterns, entitlements, archived, iat, and exp when the license expires; the protected header names the key (kid). " +
            "Verify with the keys at /.well-known/pullgate/{teamId}/jwks.json on the portal or the proxy host.",
          responses: {
            200: { description: "The signed license (Content-Disposition: attachment)", content: { "application/jwt": { schema: { type: "string" } } } },
            ...errors(401, 404),
          },
        },
      },
      "/api/v1/customers/{id}/install": {
        parameters: idParam,
        get: {
          summary: "Install instructions: docker login, pull secret, Helm values, and per covered image its reference through the proxy and a docker pull line",
          responses: { 200: { description: "Instructions", ...envelope("install", "InstallInstructions") }, ...errors(401, 404) },
        },
      },
      "/api/v1/signing-keys": {
        get: {
          summary: "The team's license-signing public keys as a JWK Set (the first key is created on first use)",
          description: "The same set is published unauthenticated at /.well-known/pullgate/{teamId}/jwks.json on the portal and on the proxy host.",
          responses: { 200: { description: "JWK Set", ...json(ref("JwkSet")) }, ...errors(401) },
        },
      },
      "/api/v1/signing-keys/rotate": {
        post: {
          summary: "Rotate the signing key: new license files are signed with a new key",
          description: "The old public key stays published until the last of the team's licenses expires (forever while one never expires).",
          responses: { 200: { description: "The new key's ID", ...json(rotateSigningKeyResultSchema) }, ...errors(401, 403) },
        },
      },
      "/api/v1/webhooks": {
        get: { summary: "List webhook endpoints", responses: { 200: { description: "Endpoints", ...list("webhooks", "Webhook") }, ...errors(401) } },
        post: {
          summary: "Add a webhook endpoint",
          description:
            `Events: ${webhookEventTypes.join(", ")}. Deliveries carry the Standard Webhooks headers webhook-id, webhook-timestamp and ` +
            "webhook-signature (v1, HMAC-SHA256 with the secret). The `whsec_…` secret is in this answer only. " +
            "A URL whose host is or resolves to a private or loopback address is refused unless PULLGATE_UPSTREAM_ALLOW_CIDRS allows it.",
          requestBody: { required: true, ...json(ref("CreateWebhook")) },
          responses: {
            201: {
              description: "Added",
              ...json({ type: "object", properties: { webhook: ref("Webhook"), secret: { type: "string", description: "whsec_…, shown once" } } }),
            },
            ...errors(400, 401, 403, 409),
          },
        },
      },
      "/api/v1/webhooks/{id}": {
        parameters: idParam,
        get: { summary: "A webhook endpoint", responses: { 200: { description: "Endpoint", ...envelope("webhook", "Webhook") }, ...errors(401, 404) } },
        patch: {
          summary: "Change a webhook endpoint's URL or events",
          requestBody: { required: true, ...json(ref("UpdateWebhook")) },
          responses: { 200: { description: "Changed", ...envelope("webhook", "Webhook") }, ...errors(400, 401, 403, 404) },
        },
        delete: { summary: "Delete a webhook endpoint and its delivery log", responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404) } },
      },
      "/api/v1/webhooks/{id}/test": {
        parameters: idParam,
        post: {
          summary: "Send a test event (webhook.test) to this endpoint",
          responses: { 202: { description: "Queued", ...envelope("delivery", "WebhookDelivery") }, ...errors(401, 403, 404) },
        },
      },
      "/api/v1/webhooks/{id}/deliveries": {
        parameters: idParam,
        get: {
          summary: "The endpoint's delivery log, newest first (status, attempts, last response code)",
          parameters: queryParameters(listDeliveriesQuerySchema),
          responses: { 200: { description: "Deliveries", ...list("deliveries", "WebhookDelivery") }, ...errors(400, 401, 404) },
        },
      },
      "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver": {
        parameters: [...idParam, { name: "deliveryId", in: "path", required: true, schema: { type: "string" } }],
        post: {
          summary: "Queue the same message (same webhook-id and body) again for this endpoint",
          responses: { 202: { description: "Queued", ...envelope("delivery", "WebhookDelivery") }, ...errors(401, 403, 404) },
        },
      },
      "/api/v1/domains": {
        get: { summary: "List custom domains", responses: { 200: { description: "Domains", ...list("domains", "Domain") }, ...errors(401) } },
        post: {
          summary: "Add a custom domain (pending until its TXT record is verified)",
          description:
            "Several teams may claim a hostname; the first to prove its TXT record gets it and the other pending claims are closed (status failed, with the reason). " +
            "409 when another team has verified the hostname, or this team has already added it.",
          requestBody: { required: true, ...json(ref("CreateDomain")) },
          responses: { 201: { description: "Added", ...envelope("domain", "Domain") }, ...errors(400, 401, 403, 409) },
        },
      },
      "/api/v1/domains/{id}": {
        parameters: idParam,
        get: { summary: "Get a custom domain", responses: { 200: { description: "Domain", ...envelope("domain", "Domain") }, ...errors(401, 404) } },
        delete: { summary: "Remove a custom domain", responses: { 204: { description: "Removed" }, ...errors(401, 403, 404) } },
      },
      "/api/v1/domains/{id}/verify": {
        parameters: idParam,
        post: { summary: "Check the DNS records now", responses: { 200: { description: "The domain after the check", ...envelope("domain", "Domain") }, ...errors(401, 403, 404) } },
      },
      "/api/v1/domains/{id}/default": {
        parameters: idParam,
        post: { summary: "Make a verified domain the team's default host", responses: { 200: { description: "Domain", ...envelope("domain", "Domain") }, ...errors(401, 403, 404, 409) } },
        delete: { summary: "Stop using the domain as the default host", responses: { 200: { description: "Domain", ...envelope("domain", "Domain") }, ...errors(401, 403, 404) } },
      },
      "/api/v1/registries": {
        get: { summary: "List linked registries", responses: { 200: { description: "Registries", ...list("registries", "Registry") }, ...errors(401) } },
        post: {
          summary: "Link a registry (runs a connection test unless skipValidation)",
          requestBody: { required: true, ...json(ref("CreateRegistry")) },
          responses: {
            201: { description: "Linked", ...envelope("registry", "Registry") },
            422: { description: "The connection test failed; nothing was saved (code connection_failed).", ...json(ref("Error")) },
            ...errors(400, 401, 403, 409),
          },
        },
      },
      "/api/v1/registries/{id}": {
        parameters: idParam,
        get: { summary: "Get a linked registry", responses: { 200: { description: "Registry", ...envelope("registry", "Registry") }, ...errors(401, 404) } },
        patch: {
          summary: "Change a registry (a blank or absent password keeps the stored secret, for the same endpoint and username only)",
          requestBody: { required: true, ...json(ref("UpdateRegistry")) },
          responses: {
            200: { description: "Updated", ...envelope("registry", "Registry") },
            400: {
              description:
                "Invalid input (code invalid_request), or code secret_required: the endpoint or username changes (or plain HTTP is turned on) and no password was given; a stored secret is only sent where it was saved for.",
              ...json(ref("Error")),
            },
            422: { description: "The connection test failed; nothing was saved.", ...json(ref("Error")) },
            ...errors(401, 403, 404, 409),
          },
        },
        delete: { summary: "Unlink a registry", responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404) } },
      },
      "/api/v1/registries/{id}/test": {
        parameters: idParam,
        post: {
          summary: "Test the connection (and optionally an image) with the stored credentials",
          requestBody: { required: false, ...json(ref("TestRegistry")) },
          responses: {
            200: { description: "The outcome in one sentence", ...json({ type: "object", properties: { ok: { type: "boolean" }, status: { type: "string" }, message: { type: "string" } } }) },
            ...errors(400, 401, 403, 404),
          },
        },
      },
      "/api/v1/pulls": {
        get: {
          summary: "Pulls (default) or the raw request log (kind=requests), newest first",
          parameters: queryParameters(listPullsQuerySchema),
          responses: {
            200: {
              description: "A page of pull events",
              ...page("pulls", "PullEvent"),
            },
            ...errors(400, 401),
          },
        },
      },
      "/api/v1/pulls.csv": {
        get: {
          summary: `Pulls (or, with kind=requests, every request) of a time range as CSV, oldest first (at most ${MAX_EXPORT_DAYS} days; default the last 7)`,
          parameters: queryParameters(exportPullsFiltersSchema),
          responses: {
            200: { description: "Streamed CSV; text cells are quoted and formula-like cells prefixed with '", content: { "text/csv": { schema: { type: "string" } } } },
            ...errors(400, 401),
          },
        },
      },
      "/api/v1/audit-events": {
        get: {
          summary: "Audit log, newest first",
          parameters: queryParameters(listAuditEventsQuerySchema),
          responses: {
            200: {
              description: "A page of events",
              ...page("events", "AuditEvent"),
            },
            ...errors(400, 401),
          },
        },
      },
    },
  };
}
