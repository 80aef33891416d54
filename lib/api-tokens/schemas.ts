import { z } from "zod";
import { typeError } from "@/lib/validation/messages";

export const createApiTokenSchema = z.strictObject({
  name: z
    .string({ error: typeError("Must be a string.", "Token name is required.") })
    .trim()
    .min(1, "Token name is required.")
    .max(100, "Token name must be at most 100 characters."),
});

export type CreateApiTokenInput = z.input<typeof createApiTokenSchema>;
