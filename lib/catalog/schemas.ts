import { z } from "zod";
import { REPOSITORY_NAME } from "@/lib/images/reference";
import { typeError } from "@/lib/validation/messages";

// Shared by the app page's form, its server actions and the REST API.

/** Repositories a vendor may list per app (on top of what registries' catalogs list). */
export const MAX_APP_REPOSITORIES = 200;

export const addAppRepositorySchema = z.strictObject({
  registryId: z.string({ error: typeError("Must be a string.", "Registry is required.") }).trim().min(1, "Registry is required.").max(100, "Not a valid registry id."),
  repository: z
    .string({ error: typeError("Must be a string.", "Repository is required.") })
    .trim()
    .toLowerCase()
    .min(1, "Repository is required.")
    .max(255, "Repository must be at most 255 characters.")
    .transform((v) => v.replace(/^\/+|\/+$/g, ""))
    .refine((v) => REPOSITORY_NAME.test(v), "A repository path within the registry, e.g. acme/api: lowercase letters, digits and . _ - between slashes, no host, tag or digest."),
});

export type AddAppRepositoryInput = z.input<typeof addAppRepositorySchema>;
