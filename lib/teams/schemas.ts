import { z } from "zod";

// Shared by the sign-up form, its server action and `pullgate vendor create`.
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address." }).max(254, "Email is too long."));

/** Length here (forms check it as you type); the server also refuses common passwords (lib/auth/password-policy.ts). */
export const newPasswordSchema = z
  .string()
  .min(10, "Password must be at least 10 characters.")
  .max(1024, "Password is too long.");

export const createVendorSchema = z.object({
  email: emailSchema,
  password: newPasswordSchema,
  name: z.string().trim().max(200, "Name is too long.").optional(),
  teamName: z.string().trim().min(1, "Team name is required.").max(200, "Team name is too long."),
});

export type CreateVendorInput = z.input<typeof createVendorSchema>;
