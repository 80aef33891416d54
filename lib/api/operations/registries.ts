import { z } from "zod";
import { component, defineOperation } from "@/lib/api/define-operation";
import { createRegistrySchema, REGISTRY_PROVIDERS, testRegistrySchema, updateRegistrySchema } from "@/lib/registries/schemas";
import type { RegistryDto } from "@/lib/registries/registry-dto";

const registrySchema = component(
  "Registry",
  z
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
    .describe("A linked registry. The secret is write-only: never returned.") satisfies z.ZodType<RegistryDto>,
);

component("CreateRegistry", createRegistrySchema);
component("UpdateRegistry", updateRegistrySchema);
component("TestRegistry", testRegistrySchema);

const registryBody = z.object({ registry: registrySchema });
const connectionFailed = { status: 422, description: "The connection test failed; nothing was saved (code connection_failed)." };

export const registryOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/registries",
    summary: "List linked registries",
    response: { description: "Registries", schema: z.object({ registries: z.array(registrySchema) }) },
    errors: [401],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/registries",
    summary: "Link a registry (runs a connection test unless skipValidation)",
    body: createRegistrySchema,
    response: { status: 201, description: "Linked", schema: registryBody },
    otherResponses: [connectionFailed],
    errors: [400, 401, 403, 409],
  }),
  defineOperation({ method: "get", path: "/api/v1/registries/{id}", summary: "Get a linked registry", response: { description: "Registry", schema: registryBody }, errors: [401, 404] }),
  defineOperation({
    method: "patch",
    path: "/api/v1/registries/{id}",
    summary: "Change a registry (a blank or absent password keeps the stored secret, for the same endpoint and username only)",
    body: updateRegistrySchema,
    response: { description: "Updated", schema: registryBody },
    otherResponses: [connectionFailed],
    errors: [400, 401, 403, 404, 409],
    errorDescriptions: {
      400:
        "Invalid input (code invalid_request), or code secret_required: the endpoint or username changes (or plain HTTP is turned on) and no password was given; a stored secret is only sent where it was saved for.",
    },
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/registries/{id}",
    summary: "Unlink a registry",
    response: { status: 204, description: "Deleted" },
    errors: [401, 403, 404],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/registries/{id}/test",
    summary: "Test the connection (and optionally an image) with the stored credentials",
    description: "A failed test is still a successful request: 200 with ok false and the sentence.",
    body: testRegistrySchema,
    bodyRequired: false,
    response: {
      description: "The outcome in one sentence",
      schema: z.object({ ok: z.boolean(), status: z.string(), message: z.string() }),
    },
    errors: [400, 401, 403, 404],
  }),
];
