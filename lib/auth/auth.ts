import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authorizeCredentials } from "@/lib/auth/authorize-credentials";
import { completeSignInChallenge } from "@/lib/two-factor/sign-in-challenge";
import { redeemSsoTicket } from "@/lib/sso/sso-login";
import { IncorrectCredentials } from "@/lib/auth/sign-in-errors";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { endSession, isSessionActive, SESSION_MAX_AGE_SECONDS, startSession, type SessionMeta } from "@/lib/auth/sessions";
import { requestClientAddress } from "@/lib/http/client-address";

// Auth.js with JWT cookies that name a server-side session (lib/auth/sessions.ts):
// the cookie is checked against its Session row on every request, so a signed-out
// or revoked session is refused even if someone kept a copy of the cookie.
// Teams and roles are read from the database on every request too (see
// session.ts) so a removed membership takes effect at once.
export const { handlers, auth, signIn, signOut } = NextAuth({
  // Self-hosted behind any host name (and custom domains): trust the Host header.
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" }, challenge: {}, code: {}, ssoTicket: {} },
      authorize: async (credentials, request) => {
        const ipAddress = requestClientAddress(request.headers);
        // A ticket from a team's SSO callback (lib/sso/sso-login.ts): a session scoped to that team.
        if (credentials?.ssoTicket) {
          const ssoUser = await redeemSsoTicket(credentials.ssoTicket);
          if (!ssoUser) throw new IncorrectCredentials();
          return { ...ssoUser, sessionMeta: { ipAddress, userAgent: request.headers.get("user-agent") } };
        }
        // Second step of a two-factor sign-in (challenge + code), or the first (email + password).
        const user = credentials?.challenge
          ? await completeSignInChallenge(credentials.challenge, credentials.code, ipAddress)
          : await authorizeCredentials(credentials, ipAddress);
        const sessionMeta: SessionMeta = { ipAddress, userAgent: request.headers.get("user-agent") };
        return { ...user, sessionMeta };
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user?.id) {
        // Signing in: a new server-side session for this browser.
        token.sub = user.id;
        token.sid = await startSession(user.id, (user as { sessionMeta?: SessionMeta }).sessionMeta);
        token.ssoTeamId = (user as { ssoTeamId?: string }).ssoTeamId ?? null;
        return token;
      }
      // Null ends the session: Auth.js clears the cookie and auth() returns no user.
      try {
        return (await isSessionActive(token.sid, token.sub)) ? token : null;
      } catch (err) {
        // The database is away: the session cannot be checked, but ending it would sign everyone
        // out. Keep the cookie; every page needs the database anyway and shows the outage instead.
        if (isDatabaseUnavailable(err)) return token;
        throw err;
      }
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      (session as { ssoTeamId?: string | null }).ssoTeamId = typeof token.ssoTeamId === "string" ? token.ssoTeamId : null;
      return session;
    },
  },
  events: {
    async signOut(message) {
      if ("token" in message && message.token) await endSession(message.token.sid);
    },
  },
  logger: {
    // A wrong password is routine, not a server error worth a stack trace in the logs.
    error(error) {
      if (error instanceof CredentialsSignin) return;
      console.error(error);
    },
  },
});
