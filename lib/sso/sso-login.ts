import * as oidc from "openid-client";
import { prisma } from "@/lib/db/client";
import { lookupHash, newOneTimeToken } from "@/lib/auth/one-time-token";
import { loadOidcConfiguration, ssoRedirectUri } from "@/lib/sso/oidc-configuration";
import { ssoLog } from "@/lib/sso/log";
import { provisionSsoUser, type SsoOutcome } from "@/lib/sso/provision-sso-user";

// Sign-in through a team's OIDC provider (authorization code flow with PKCE,
// state and nonce), with openid-client. The state names a row that holds the
// verifier and nonce for 10 minutes; the callback turns a verified ID token
// into a one-time ticket (hashed, 1 minute) that the Auth.js Credentials
// provider redeems for an ordinary session (lib/auth/auth.ts).

const LOGIN_TTL_MS = 10 * 60_000;
const TICKET_TTL_MS = 60_000;

/** The IdP's authorization URL for a sign-in to `teamId`. */
export async function startSsoLogin(teamId: string, now = new Date()): Promise<string> {
  const { configuration } = await loadOidcConfiguration(teamId);
  const { token: state, tokenHash: stateHash } = newOneTimeToken();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  await prisma.ssoLogin.deleteMany({ where: { expiresAt: { lte: now } } });
  await prisma.ssoLogin.create({ data: { teamId, stateHash, nonce, codeVerifier, expiresAt: new Date(now.getTime() + LOGIN_TTL_MS), createdAt: now } });
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: ssoRedirectUri(teamId),
    scope: "openid email profile",
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
  });
  return url.href;
}

export type SsoCallbackResult = { ok: true; ticket: string } | { ok: false; reason: SsoOutcome | "expired" | "failed" };

/** The IdP sent the browser back to `callbackUrl`: exchange the code, check the ID token, provision, issue a ticket. */
export async function finishSsoLogin(teamId: string, callbackUrl: URL, now = new Date()): Promise<SsoCallbackResult> {
  const stateHash = lookupHash(callbackUrl.searchParams.get("state"));
  const login = stateHash ? await prisma.ssoLogin.findUnique({ where: { stateHash } }) : null;
  if (!login || login.teamId !== teamId || login.ticketHash || login.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
  let identity: { subject: string; email: string; emailVerified: boolean; name: string | null };
  try {
    const { configuration } = await loadOidcConfiguration(teamId);
    const url = new URL(callbackUrl.pathname + callbackUrl.search, ssoRedirectUri(teamId));
    const tokens = await oidc.authorizationCodeGrant(configuration, url, {
      pkceCodeVerifier: login.codeVerifier,
      expectedState: callbackUrl.searchParams.get("state") ?? undefined,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    // Many providers put the email in the ID token; others (and OIDC's default) only at the userinfo endpoint.
    const info: Record<string, unknown> =
      typeof claims.email === "string" ? claims : await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
    identity = {
      subject: String(claims.sub),
      email: typeof info.email === "string" ? info.email : "",
      emailVerified: info.email_verified === true,
      name: typeof info.name === "string" ? info.name : null,
    };
  } catch (err) {
    ssoLog.warn({ teamId, cause: (err as Error).message }, "single sign-on callback failed");
    return { ok: false, reason: "failed" };
  }
  const outcome = await provisionSsoUser(teamId, identity, now);
  if (outcome.result !== "ok") {
    await prisma.ssoLogin.delete({ where: { id: login.id } });
    return { ok: false, reason: outcome.result };
  }
  const { token: ticket, tokenHash: ticketHash } = newOneTimeToken();
  const { count } = await prisma.ssoLogin.updateMany({
    where: { id: login.id, ticketHash: null },
    data: { ticketHash, userId: outcome.userId, expiresAt: new Date(now.getTime() + TICKET_TTL_MS) },
  });
  return count === 1 ? { ok: true, ticket } : { ok: false, reason: "expired" };
}

/** The Credentials provider's check of an SSO ticket: once, within a minute. */
export async function redeemSsoTicket(ticket: unknown, now = new Date()): Promise<{ id: string; email: string; name: string; ssoTeamId: string } | null> {
  const ticketHash = lookupHash(ticket);
  if (!ticketHash) return null;
  const login = await prisma.ssoLogin.findUnique({ where: { ticketHash } });
  if (!login?.userId || login.expiresAt.getTime() <= now.getTime()) return null;
  const { count } = await prisma.ssoLogin.deleteMany({ where: { id: login.id, ticketHash } });
  if (count !== 1) return null;
  const user = await prisma.user.findUnique({ where: { id: login.userId }, select: { id: true, email: true, name: true } });
  return user ? { ...user, ssoTeamId: login.teamId } : null;
}

