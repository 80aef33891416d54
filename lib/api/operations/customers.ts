import { z } from "zod";
import { component, defineOperation, pageOf } from "@/lib/api/define-operation";
import { catalogRegistrySchema } from "@/lib/api/operations/apps";
import { createCustomerSchema, customerTypes, listCustomersQuerySchema, pullSecretQuerySchema, updateCustomerSchema } from "@/lib/customers/schemas";
import type { CustomerDto } from "@/lib/customers/customer-dto";
import type { InstallInstructions } from "@/lib/customers/get-install-instructions";

const licenseSchema = z.object({
  licenseId: z.string().describe("27-character base62 license ID: the customer's registry password."),
  expiresAt: z.iso.datetime().nullable(),
  registryAccess: z.boolean(),
  imagePatterns: z.array(z.string()),
  entitlements: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  status: z.enum(["active", "expired", "disabled", "archived"]),
});

export const customerSchema = component(
  "Customer",
  z.object({
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
  }) satisfies z.ZodType<CustomerDto>,
);

const installSchema = component(
  "InstallInstructions",
  z
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
    .describe("Contains the license ID (in dockerLogin and the pull secret): hand it only to this customer.") satisfies z.ZodType<InstallInstructions>,
);

export const pullSecretSchema = z.object({
  dockerconfigjson: z.string().describe("The .dockerconfigjson document (JSON text) with the customer's credentials for every proxy host."),
  secretYaml: z.string().describe("A Kubernetes Secret of type kubernetes.io/dockerconfigjson holding it."),
});

component("CreateCustomer", createCustomerSchema);
component("UpdateCustomer", updateCustomerSchema);

const customerBody = z.object({ customer: customerSchema });

export const customerOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/customers",
    summary: "List customers (keyset pagination)",
    query: listCustomersQuerySchema,
    response: { description: "A page of customers", schema: pageOf("customers", customerSchema) },
    errors: [400, 401],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/customers",
    summary: "Create a customer and its license",
    body: createCustomerSchema,
    response: { status: 201, description: "Created", schema: customerBody },
    errors: [400, 401, 403],
  }),
  defineOperation({ method: "get", path: "/api/v1/customers/{id}", summary: "Get a customer", response: { description: "Customer", schema: customerBody }, errors: [401, 404] }),
  defineOperation({
    method: "patch",
    path: "/api/v1/customers/{id}",
    summary: "Change a customer and its license (expiresAt null = never)",
    body: updateCustomerSchema,
    response: { description: "Updated", schema: customerBody },
    errors: [400, 401, 403, 404],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/customers/{id}/archive",
    summary: "Archive a customer (cuts registry access)",
    response: { description: "Archived", schema: customerBody },
    errors: [401, 403, 404],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/customers/{id}/unarchive",
    summary: "Unarchive a customer (restores registry access)",
    response: { description: "Unarchived", schema: customerBody },
    errors: [401, 403, 404],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/customers/{id}/pull-secret",
    summary: "The customer's image pull secret",
    query: pullSecretQuerySchema,
    response: { description: "dockerconfigjson (JSON text) and a Kubernetes Secret manifest", schema: pullSecretSchema },
    errors: [400, 401, 404],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/customers/{id}/install",
    summary: "Install instructions: docker login, pull secret, Helm values, and per covered image its reference through the proxy and a docker pull line",
    response: { description: "Instructions", schema: z.object({ install: installSchema }) },
    errors: [401, 404],
  }),
];
