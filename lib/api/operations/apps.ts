import { z } from "zod";
import { component, defineOperation } from "@/lib/api/define-operation";
import { createAppSchema, renameAppSchema } from "@/lib/apps/schemas";
import { addAppRepositorySchema } from "@/lib/catalog/schemas";
import type { AppDto } from "@/lib/apps/app-dto";
import type { AppRepositoryDto } from "@/lib/catalog/app-repositories";
import type { AppCatalogDto } from "@/lib/catalog/app-catalog";

// `satisfies z.ZodType<…Dto>` makes tsc fail when a DTO gains or changes a
// field the document does not show.

export const appSchema = component(
  "App",
  z.object({ id: z.string(), name: z.string(), slug: z.string(), createdAt: z.iso.datetime() }) satisfies z.ZodType<AppDto>,
);

const appRepositorySchema = component(
  "AppRepository",
  z.object({
    id: z.string(),
    appId: z.string(),
    registryId: z.string(),
    repository: z.string().describe("Path within the registry, e.g. acme/api."),
    createdAt: z.iso.datetime(),
  }) satisfies z.ZodType<AppRepositoryDto>,
);

export const catalogRegistrySchema = z.object({
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

const appCatalogSchema = component(
  "AppCatalog",
  z.object({
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
  }) satisfies z.ZodType<AppCatalogDto>,
);

component("CreateApp", createAppSchema);
component("RenameApp", renameAppSchema);
component("AddAppRepository", addAppRepositorySchema);

const appBody = z.object({ app: appSchema });

export const appOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/apps",
    summary: "List apps",
    response: { description: "Apps", schema: z.object({ apps: z.array(appSchema) }) },
    errors: [401],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/apps",
    summary: "Create an app",
    body: createAppSchema,
    response: { status: 201, description: "Created", schema: appBody },
    errors: [400, 401, 403, 409],
  }),
  defineOperation({ method: "get", path: "/api/v1/apps/{id}", summary: "Get an app", response: { description: "App", schema: appBody }, errors: [401, 404] }),
  defineOperation({
    method: "patch",
    path: "/api/v1/apps/{id}",
    summary: "Rename an app",
    body: renameAppSchema,
    response: { description: "Renamed", schema: appBody },
    errors: [400, 401, 403, 404],
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/apps/{id}",
    summary: "Delete an app without customers",
    response: { status: 204, description: "Deleted" },
    errors: [401, 403, 404, 409],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/apps/{id}/catalog",
    summary: "The app's image catalog: repositories (and tags) of each registry it may use",
    description:
      "Read from each registry's /v2/_catalog where it allows it, plus the repositories listed for the app; cached for PULLGATE_TAG_TTL seconds (the last known answer is served while a registry is down).",
    response: { description: "Catalog", schema: z.object({ catalog: appCatalogSchema }) },
    errors: [401, 404],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/apps/{id}/repositories",
    summary: "Repositories listed for the app",
    response: { description: "Repositories", schema: z.object({ repositories: z.array(appRepositorySchema) }) },
    errors: [401, 404],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/apps/{id}/repositories",
    summary: "List a repository for the app (for registries without /v2/_catalog)",
    body: addAppRepositorySchema,
    response: { status: 201, description: "Listed", schema: z.object({ repository: appRepositorySchema }) },
    errors: [400, 401, 403, 404, 409],
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/apps/{id}/repositories/{repositoryId}",
    summary: "Remove a listed repository",
    response: { status: 204, description: "Removed" },
    errors: [401, 403, 404],
  }),
];
