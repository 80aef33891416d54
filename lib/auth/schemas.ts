import { z } from "zod";
import { emailSchema, newPasswordSchema } from "@/lib/teams/schemas";

// Shared by the sign-in/sign-up forms (client-side field errors) and their server actions.
export const signInSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, "Enter your password.").max(1024, "Password is too long."),
});

export const signUpSchema = z.object({
  name: z.string().trim().max(200, "Name is too long.").optional(),
  email: emailSchema,
  password: newPasswordSchema,
  teamName: z.string().trim().min(1, "Team name is required.").max(200, "Team name is too long."),
});

export const changePasswordSchema = z
  .strictObject({
    currentPassword: z.string().min(1, "Enter your current password.").max(1024, "Password is too long."),
    newPassword: newPasswordSchema,
    confirmPassword: z.string().max(1024, "Password is too long."),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The new passwords do not match." })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], message: "Choose a password different from the current one." });

export const requestPasswordResetSchema = z.strictObject({ email: emailSchema });

export const resetPasswordSchema = z
  .strictObject({
    token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This reset link is incomplete or malformed."),
    newPassword: newPasswordSchema,
    confirmPassword: z.string().max(1024, "Password is too long."),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The new passwords do not match." });

export type RequestPasswordResetInput = z.input<typeof requestPasswordResetSchema>;
export type ResetPasswordInput = z.input<typeof resetPasswordSchema>;

/** The token of an emailed link (lib/auth/one-time-token.ts): 32 random bytes, base64url. */
export const ONE_TIME_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type SignInInput = z.infer<typeof signInSchema>;
export type SignUpInput = z.infer<typeof signUpSchema>;
export type ChangePasswordInput = z.input<typeof changePasswordSchema>;

/** Field errors as `{ field: firstMessage }`, the shape our forms render. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    out[field] ??= issue.message;
  }
  return out;
}
