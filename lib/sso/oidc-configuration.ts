import * as oidc from "openid-client";
import { prisma } from "@/lib/db/client";
import { config } from "@/lib/config";
import { decryptSecret } from "@/lib/secrets/crypto";
import { ssoFetch } from "@/lib/sso/sso-fetch";

export class SsoUnavailableError extends Error {}

export function ssoRedirectUri(teamId: string): string {
  return `${config.portalUrl.replace(/\/+$/, "")}/sso/${teamId}/callback`;
}

/** The team's SSO settings and the issuer's discovered configuration (fetched through the outbound policy). */
export async function loadOidcConfiguration(teamId: string) {
  const settings = await prisma.teamSso.findUnique({ where: { teamId } });
  if (!settings) throw new SsoUnavailableError("This team has no single sign-on.");
  let configuration: oidc.Configuration;
  try {
    configuration = await oidc.discovery(new URL(settings.issuer), settings.clientId, decryptSecret(settings.clientSecretCiphertext), undefined, {
      [oidc.customFetch]: ssoFetch as unknown as oidc.CustomFetch,
      timeout: 15,
    });
  } catch (err) {
    // fetch wraps the connection's error (e.g. the outbound policy's refusal) as its cause.
    const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error) : (err as Error);
    throw new SsoUnavailableError(`The team's identity provider could not be reached: ${cause.message}`);
  }
  configuration[oidc.customFetch] = ssoFetch as unknown as oidc.CustomFetch;
  return { settings, configuration };
}
