import { z } from "zod";
import type { FieldIssue } from "@/lib/errors";
import { imagePatternProblem, MAX_IMAGE_PATTERN_LENGTH, MAX_IMAGE_PATTERNS, MAX_PATTERN_WILDCARDS } from "@/lib/licenses/image-patterns";
import { typeError } from "@/lib/validation/messages";
import { customerLastPullFilters, customerSorts, customerStatusFilters, customerTypes, type CustomerTypeValue } from "@/lib/customers/list-options";

// Shared by the customer form, its server actions and the REST API, so every
// entry point accepts and rejects exactly the same input.

export { customerTypes, type CustomerTypeValue } from "@/lib/customers/list-options";

/** `test` licenses must expire within this many hours. */
export const TEST_LICENSE_MAX_HOURS = 48;
export { MAX_IMAGE_PATTERN_LENGTH, MAX_IMAGE_PATTERNS, MAX_PATTERN_WILDCARDS };
export const MAX_ENTITLEMENTS = 100;
export const ENTITLEMENT_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Empty strings from forms mean "not set". */
const optionalText = (max: number, label: string) =>
  z
    .string({ error: "Must be a string." })
    .trim()
    .max(max, `${label} must be at most ${max} characters.`)
    .nullable()
    .transform((v) => (v ? v : null));

export const customerNameSchema = z
  .string({ error: typeError("Must be a string.", "Name is required.") })
  .trim()
  .min(1, "Name is required.")
  .max(200, "Name must be at most 200 characters.");

export const customerEmailSchema = z
  .string({ error: "Must be a string." })
  .trim()
  .max(320, "Email must be at most 320 characters.")
  .refine((v) => v === "" || EMAIL_PATTERN.test(v), "Must be a valid email address.")
  .nullable()
  .transform((v) => (v ? v.toLowerCase() : null));

export const customerTypeSchema = z.enum(customerTypes, { error: `Must be one of: ${customerTypes.join(", ")}.` });

/**
 * An ISO 8601 date-time with offset (`2026-12-01T00:00:00Z`) or a date
 * (`2026-12-01`, meaning midnight UTC); null means the license never expires.
 */
export const expiresAtSchema = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: "Must be an ISO 8601 date-time such as 2026-12-01T00:00:00Z (or null for never).",
  })
  .nullable()
  .transform((v) => (v === null ? null : new Date(v.length === 10 ? `${v}T00:00:00Z` : v)))
  .refine((d) => d === null || !Number.isNaN(d.getTime()), "Not a valid date.")
  .refine((d) => d === null || (d.getUTCFullYear() >= 2000 && d.getUTCFullYear() <= 9999), "Year must be between 2000 and 9999.");

/** The limits on a license's image patterns, in words (the form's help text and the API description). */
export const IMAGE_PATTERN_LIMITS_TEXT =
  `At most ${MAX_IMAGE_PATTERNS} patterns, each at most ${MAX_IMAGE_PATTERN_LENGTH} characters with at most ${MAX_PATTERN_WILDCARDS} wildcards ` +
  "(* matches within one path segment, ** across segments).";

export const imagePatternsSchema = z
  .array(z.string({ error: "Must be a string." }).trim(), { error: "Must be an array of image patterns." })
  .max(MAX_IMAGE_PATTERNS, `At most ${MAX_IMAGE_PATTERNS} image patterns.`)
  .superRefine((patterns, ctx) => {
    patterns.forEach((p, i) => {
      const problem = imagePatternProblem(p);
      if (problem) ctx.addIssue({ code: "custom", path: [i], message: `Invalid image pattern "${p.slice(0, 60)}": ${problem}` });
    });
  })
  .transform((patterns) => [...new Set(patterns)])
  .describe(`Globs of the images this license may pull, e.g. acme/api or acme/* (empty: every image of the app). ${IMAGE_PATTERN_LIMITS_TEXT}`);

export const entitlementValueSchema = z.union([z.string().max(1000, "At most 1000 characters."), z.number().finite(), z.boolean()], {
  // A number that is not one (NaN from a form's number field) says so.
  error: (issue) => (typeof issue.input === "number" ? "Must be a number." : "Must be a string, number or boolean."),
});

export const entitlementsSchema = z
  .record(z.string(), entitlementValueSchema, { error: "Must be an object of name → value." })
  .superRefine((record, ctx) => {
    const keys = Object.keys(record);
    if (keys.length > MAX_ENTITLEMENTS) ctx.addIssue({ code: "custom", message: `At most ${MAX_ENTITLEMENTS} entitlements.` });
    for (const key of keys) {
      if (!ENTITLEMENT_KEY_PATTERN.test(key)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: "Entitlement names start with a letter and use letters, digits, _ . - (at most 64 characters).",
        });
      }
    }
  });

/** The optional fields a customer is created with and edited by: one set of rules for both. */
const customerOptionalFields = {
  email: customerEmailSchema.optional(),
  customId: optionalText(100, "Custom ID").optional(),
  type: customerTypeSchema.optional(),
  channel: optionalText(100, "Channel").optional(),
  expiresAt: expiresAtSchema.optional(),
  registryAccess: z.boolean({ error: "Must be true or false." }).optional(),
  imagePatterns: imagePatternsSchema.optional(),
  entitlements: entitlementsSchema.optional(),
};

export const createCustomerSchema = z.strictObject({
  appId: z.string({ error: typeError("Must be a string.", "App is required.") }).trim().min(1, "App is required.").max(100, "Not a valid app id."),
  name: customerNameSchema,
  ...customerOptionalFields,
});

export const updateCustomerSchema = z.strictObject({
  name: customerNameSchema.optional(),
  ...customerOptionalFields,
});

export type CreateCustomerInput = z.input<typeof createCustomerSchema>;
export type UpdateCustomerInput = z.input<typeof updateCustomerSchema>;

/**
 * The rules tying expiry to type: `community` never expires; `test` expires
 * within 48 hours. Returns the issue (on expiresAt) or null.
 */
export function licenseTermsIssue(type: CustomerTypeValue, expiresAt: Date | null, now = new Date()): FieldIssue | null {
  if (type === "community" && expiresAt !== null) {
    return { path: "expiresAt", message: "Community licenses never expire: leave the expiry empty (null)." };
  }
  if (type === "test") {
    if (expiresAt === null) {
      return { path: "expiresAt", message: `Test licenses must expire within ${TEST_LICENSE_MAX_HOURS} hours: set an expiry.` };
    }
    // A minute of slack for the time between filling the form and saving it.
    if (expiresAt.getTime() > now.getTime() + TEST_LICENSE_MAX_HOURS * 3600_000 + 60_000) {
      return { path: "expiresAt", message: `Test licenses must expire within ${TEST_LICENSE_MAX_HOURS} hours of now.` };
    }
  }
  return null;
}

export { customerStatusFilters, customerSorts, customerLastPullFilters, type CustomerStatusFilter, type CustomerLastPullFilter, type CustomerSort } from "@/lib/customers/list-options";

const limitSchema = z.coerce.number({ error: "Must be a number." }).int("Must be a whole number.").min(1, "At least 1.").max(200, "At most 200.");

/** Query of GET /api/v1/customers (keyset pagination). */
export const listCustomersQuerySchema = z.strictObject({
  appId: z.string().max(100).optional(),
  q: z.string().trim().max(200, "Search must be at most 200 characters.").optional(),
  status: z.enum(customerStatusFilters, { error: `Must be one of: ${customerStatusFilters.join(", ")}.` }).optional(),
  type: customerTypeSchema.optional(),
  lastPull: z.enum(customerLastPullFilters, { error: `Must be one of: ${customerLastPullFilters.join(", ")}.` }).optional(),
  sort: z.enum(customerSorts, { error: `Must be one of: ${customerSorts.join(", ")}.` }).optional(),
  order: z.enum(["asc", "desc"], { error: "Must be asc or desc." }).optional(),
  cursor: z.string().max(1000).optional(),
  limit: limitSchema.optional(),
});

export type ListCustomersQuery = z.output<typeof listCustomersQuerySchema>;

/** A Kubernetes namespace name (DNS-1123 label). */
export const K8S_NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Query of GET /api/v1/customers/{id}/pull-secret. */
export const pullSecretQuerySchema = z.strictObject({
  namespace: z
    .string()
    .max(63, "A namespace is at most 63 characters.")
    .regex(K8S_NAMESPACE_PATTERN, "A namespace uses lower-case letters, digits and '-', starting and ending with a letter or digit.")
    .optional()
    .describe("Put the Kubernetes Secret in this namespace."),
});
