import { z } from "zod";

// Shared by Settings → Single sign-on, its server action and the SSO routes.

const hostnamePattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const ssoRoles = ["admin", "member"] as const;

export const ssoSettingsSchema = z.strictObject({
  issuer: z
    .string()
    .trim()
    .max(500, "Issuer URL is too long.")
    .pipe(z.url({ protocol: /^https$/, message: "Enter the issuer's https:// URL (as in its /.well-known/openid-configuration)." })),
  clientId: z.string().trim().min(1, "Client ID is required.").max(300, "Client ID is too long."),
  /** Blank or absent on a change: keep the stored secret. */
  clientSecret: z.string().max(2000, "Client secret is too long.").optional(),
  allowedDomain: z
    .string()
    .trim()
    .toLowerCase()
    .transform((v) => v.replace(/^@/, ""))
    .pipe(z.string().regex(hostnamePattern, "Enter an email domain such as example.com.")),
  defaultRole: z.enum(ssoRoles, { error: "New members join as admin or member." }),
  ssoOnly: z.boolean({ error: "ssoOnly must be true or false." }),
});

export type SsoSettingsInput = z.input<typeof ssoSettingsSchema>;
