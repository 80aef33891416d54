import type { IncomingMessage, ServerResponse } from "node:http";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { signLicenseFile } from "@/lib/licenses/license-file";
import { publicJwksOfTeam } from "@/lib/signing-keys/published-keys";
import type { AuthorizationData } from "./authorization-data";
import type { AuthThrottle } from "./auth-rate-limit";
import { clientAddress } from "./client-address";
import { licenseForId, readCredentials } from "./customer-auth";
import { sendOciError } from "./errors";
import type { ProxyMetrics } from "./metrics";
import type { HostScope } from "./request-host";

// What a vendor's installed application asks the proxy host: its current
// signed license (GET /v1/license, the license ID as the Basic password, as
// for docker login) and the team's public keys to verify it
// (GET /.well-known/pullgate/<team id>/jwks.json, unauthenticated).

export type LicenseApiDeps = {
  data: AuthorizationData;
  prisma: PrismaClient;
  throttle: AuthThrottle;
  metrics: ProxyMetrics;
  trustForwarded?: boolean;
};

export const JWKS_PATH = /^\/\.well-known\/pullgate\/([^/]{1,64})\/jwks\.json$/;

/** An application re-checks often; a minute keeps a revocation quick to show while sparing the proxy. */
const LICENSE_MAX_AGE_SECONDS = 60;
const JWKS_MAX_AGE_SECONDS = 300;

export function createLicenseApi(deps: LicenseApiDeps) {
  function unauthorized(res: ServerResponse, message: string): void {
    sendOciError(res, "UNAUTHORIZED", message, { headers: { "WWW-Authenticate": 'Basic realm="pullgate license"' } });
  }

  /** GET /v1/license: the license the Basic password names, signed now; never another customer's. */
  async function handleLicense(req: IncomingMessage, res: ServerResponse, scope: HostScope): Promise<void> {
    const creds = readCredentials(req);
    if (creds?.kind !== "basic") return unauthorized(res, "authentication required: send the license ID as the Basic password");
    const address = clientAddress(req, deps.trustForwarded ?? false);
    const retryAfter = await deps.throttle.retryAfterSeconds({ address, credentials: creds });
    if (retryAfter > 0) {
      deps.metrics.authDecisions.inc({ result: "rate_limited" });
      return sendOciError(res, "TOOMANYREQUESTS", "too many failed attempts with these credentials; try again later", {
        headers: { "Retry-After": String(retryAfter) },
      });
    }
    const license = await licenseForId(deps.data, creds.password);
    // On a custom domain only that team's (or that app's) licenses exist, as for pulls.
    const inScope =
      license && (scope.kind === "default" || (license.teamId === scope.teamId && (scope.appId === null || scope.appId === license.customer.appId)));
    if (!license || !inScope) {
      await deps.throttle.recordFailure({ address, credentials: creds });
      deps.metrics.authDecisions.inc({ result: "bad_credentials" });
      return unauthorized(res, "invalid license ID");
    }
    const signed = await signLicenseFile(deps.prisma, { licenseId: license.licenseId, teamId: license.teamId });
    if (!signed) return unauthorized(res, "invalid license ID");
    const body = Buffer.from(signed.token);
    res.statusCode = 200;
    res.setHeader("Content-Type", "application/jwt");
    res.setHeader("Content-Length", body.length);
    // Per credential: shared caches must not keep it; the client may reuse it briefly.
    res.setHeader("Cache-Control", `private, max-age=${LICENSE_MAX_AGE_SECONDS}`);
    res.setHeader("Vary", "Authorization");
    res.end(req.method === "HEAD" ? undefined : body);
  }

  /** GET /.well-known/pullgate/<team id>/jwks.json: public keys, cacheable by anyone. */
  async function handleJwks(req: IncomingMessage, res: ServerResponse, teamId: string): Promise<void> {
    const jwks = await publicJwksOfTeam(deps.prisma, teamId);
    if (!jwks) {
      res.statusCode = 404;
      res.setHeader("Content-Type", "application/json");
      res.setHeader("Cache-Control", "no-store");
      return void res.end(req.method === "HEAD" ? undefined : JSON.stringify({ error: "unknown team" }));
    }
    const body = Buffer.from(JSON.stringify(jwks));
    res.statusCode = 200;
    res.setHeader("Content-Type", "application/jwk-set+json");
    res.setHeader("Content-Length", body.length);
    res.setHeader("Cache-Control", `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    res.end(req.method === "HEAD" ? undefined : body);
  }

  return { handleLicense, handleJwks };
}
