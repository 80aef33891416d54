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

// The entitlement schema of an app: the fields its licenses' entitlements
// should have. Values are checked against it by lib/apps/entitlement-schema.ts.

export const entitlementFieldTypes = ["string", "number", "boolean", "date"] as const;
export type EntitlementFieldType = (typeof entitlementFieldTypes)[number];
export const MAX_ENTITLEMENT_FIELDS = 100;
export const ENTITLEMENT_FIELD_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** A date entitlement: an ISO 8601 calendar date. */
export const ENTITLEMENT_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export const entitlementFieldSchema = z.strictObject({
  name: z
    .string({ error: typeError("Must be a string.", "Name is required.") })
    .trim()
    .regex(ENTITLEMENT_FIELD_NAME_PATTERN, "Names start with a letter and use letters, digits, _ . - (at most 64 characters)."),
  type: z.enum(entitlementFieldTypes, { error: `Must be one of: ${entitlementFieldTypes.join(", ")}.` }),
  default: z.union([z.string().max(1000, "At most 1000 characters."), z.number().finite(), z.boolean()], { error: "Must be a string, number or boolean." }).nullable().optional(),
  required: z.boolean({ error: "Must be true or false." }).optional(),
}).superRefine((field, ctx) => {
  if (field.default === undefined || field.default === null) return;
  const problem = entitlementValueProblem(field.type, field.default);
  if (problem) ctx.addIssue({ code: "custom", path: ["default"], message: `The default does not fit the type: ${problem}` });
});

export const entitlementSchemaInputSchema = z
  .strictObject({
    fields: z.array(entitlementFieldSchema, { error: "Must be an array of fields." }).max(MAX_ENTITLEMENT_FIELDS, `At most ${MAX_ENTITLEMENT_FIELDS} fields.`),
  })
  .superRefine(({ fields }, ctx) => {
    const seen = new Set<string>();
    fields.forEach((field, i) => {
      if (seen.has(field.name)) ctx.addIssue({ code: "custom", path: ["fields", i, "name"], message: `"${field.name}" appears twice.` });
      seen.add(field.name);
    });
  });

export type EntitlementSchemaInput = z.input<typeof entitlementSchemaInputSchema>;

/** A field as stored and returned. */
export type EntitlementField = { name: string; type: EntitlementFieldType; default: string | number | boolean | null; required: boolean };

/** Why a value does not fit a field's type, or null when it does. */
export function entitlementValueProblem(type: EntitlementFieldType, value: unknown): string | null {
  switch (type) {
    case "string":
      return typeof value === "string" ? null : "Must be text.";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : "Must be a number.";
    case "boolean":
      return typeof value === "boolean" ? null : "Must be true or false.";
    case "date": {
      if (typeof value !== "string" || !ENTITLEMENT_DATE_PATTERN.test(value)) return "Must be a date (YYYY-MM-DD).";
      const d = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value ? null : "Must be a date (YYYY-MM-DD).";
    }
  }
}

export const entitlementFieldDtoSchema = z.object({
  name: z.string(),
  type: z.enum(entitlementFieldTypes),
  default: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  required: z.boolean(),
});

export const nonconformingCustomerSchema = z.object({
  customerId: z.string(),
  name: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});

export const entitlementSchemaResponseSchema = z.object({
  fields: z.array(entitlementFieldDtoSchema),
  nonconforming: z
    .array(nonconformingCustomerSchema)
    .describe("Customers of the app whose stored entitlements no longer fit (kept as they are, flagged; at most 100 listed)."),
});
