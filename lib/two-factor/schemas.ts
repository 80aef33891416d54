import { z } from "zod";

// Shared by the two-factor pages, their server actions and the sign-in's second step.

/** A 6-digit code from an authenticator app (spaces allowed, as apps show "123 456"). */
export const totpCodeSchema = z
  .string()
  .transform((v) => v.replace(/\s+/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app."));

/** A one-time recovery code as shown at enrolment: xxxxx-xxxxx (case and dash optional). */
export const RECOVERY_CODE_PATTERN = /^[a-z2-7]{5}-?[a-z2-7]{5}$/;

/** The sign-in's second step: an authenticator code or a recovery code. */
export const secondFactorCodeSchema = z
  .string()
  .max(64, "Code is too long.")
  .transform((v) => v.trim().toLowerCase().replace(/\s+/g, ""))
  .refine((v) => /^\d{6}$/.test(v) || RECOVERY_CODE_PATTERN.test(v), "Enter the 6-digit code from your authenticator app, or a recovery code.");

export const confirmTwoFactorSchema = z.strictObject({ code: totpCodeSchema });
export const disableTwoFactorSchema = z.strictObject({ code: secondFactorCodeSchema });
export const teamTwoFactorSchema = z.strictObject({ requireTwoFactor: z.boolean({ error: "requireTwoFactor must be true or false." }) });

export type ConfirmTwoFactorInput = z.input<typeof confirmTwoFactorSchema>;
export type DisableTwoFactorInput = z.input<typeof disableTwoFactorSchema>;
export type TeamTwoFactorInput = z.input<typeof teamTwoFactorSchema>;

/** The second sign-in step's form. */
export const secondFactorFormSchema = z.object({ code: secondFactorCodeSchema });
