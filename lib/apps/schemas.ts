import { z } from "zod";
import { typeError } from "@/lib/validation/messages";

export const APP_SLUG_PATTERN = /^[a-z0-9-]{2,40}$/;

export const appNameSchema = z
  .string({ error: typeError("Must be a string.", "Name is required.") })
  .trim()
  .min(1, "Name is required.")
  .max(100, "Name must be at most 100 characters.");

export const appSlugSchema = z
  .string({ error: "Must be a string." })
  .trim()
  .regex(APP_SLUG_PATTERN, "Slug must be 2 to 40 characters of lowercase letters, digits and hyphens.");

export const createAppSchema = z.strictObject({
  name: appNameSchema,
  slug: appSlugSchema.optional(),
});

export const renameAppSchema = z.strictObject({
  name: appNameSchema,
});

export type CreateAppInput = z.input<typeof createAppSchema>;
export type RenameAppInput = z.input<typeof renameAppSchema>;

/** A slug suggestion from an app name: "Acme API (beta)" -> "acme-api-beta". */
export function suggestAppSlug(name: string): string {
  let slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/g, "");
  if (slug.length < 2) slug = slug ? `${slug}-app` : "app";
  return slug;
}
