import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthorizationData } from "./authorization-data";
import type { AuthThrottle } from "./auth-rate-limit";
import { addressGroup } from "@/lib/http/client-address";
import { clientAddress } from "./client-address";
import { bearerChallenge, type RequestOrigin } from "./challenge";
import { authenticate, licenseForId, readCredentials, type Authenticated, type Credentials } from "./customer-auth";
import { issueCustomerToken, parseScope, tokenAllows, type GrantedAccess } from "./customer-token";
import { blobNotFound, manifestNotFound, sendNotFound, sendOciError, API_VERSION, API_VERSION_HEADER, type OciErrorOptions } from "./errors";
import { checkLicenseAccess, type Authorized } from "./license-check";
import type { PullEventInput, PullEventQueue } from "./pull-events";
import { indexChildren, PullCounter } from "./pull-counting";
import { licenseRefusal, type PullDenialReason } from "@/lib/licenses/decide-pull";
import { checkRepositoryName, parseRegistryPath, type RegistryAction } from "./repository-path";
import type { ProxyMetrics } from "./metrics";
import { DEFAULT_HOST, type HostScope } from "./request-host";
import { upstreamFailureOf } from "./upstream-failure";
import type { Logger } from "./logger";
import { readPasswordGrant } from "./token-form";

// The customer-facing half of the proxy: who is asking (Basic license ID or a
// token we issued), may they pull this repository right now, and then hand
// the request to the handler for its action. Order matters: authentication,
// then authorization, then the cache or the upstream, never the reverse.

export type PullContext = Authorized & {
  req: IncomingMessage;
  res: ServerResponse;
  repository: string;
  reference: string | null;
  /** The request's query string (tags: n/last, referrers: artifactType). */
  query: URLSearchParams;
  metrics: ProxyMetrics;
  /** Fill in while serving; recorded as the pull event when the response ends. */
  event: {
    digest: string | null;
    bytes: number;
    cacheHit: boolean;
    /** A manifest GET's body: an index's platform digests are part of the same pull (pull-counting.ts). */
    manifest?: Buffer;
  };
};

export type ActionHandler = (ctx: PullContext) => Promise<void>;

export type RegistryApiDeps = {
  data: AuthorizationData;
  /** Failed logins per (client network, credential): proxy/auth-rate-limit.ts. */
  throttle: AuthThrottle;
  pullEvents: PullEventQueue;
  metrics: ProxyMetrics;
  handlers: Record<RegistryAction, ActionHandler>;
  /** Take the client's address from X-Forwarded-For (PROXY_TRUST_FORWARDED=1). */
  trustForwarded?: boolean;
  /** Where upstream failures are logged with their host and cause. */
  logger?: Logger;
  /** Decides which events are pulls (one per process). */
  pullCounter?: PullCounter;
};

const BAD_CREDENTIALS_RECORD_INTERVAL_MS = 60_000;

type RecordedEvent = Omit<PullEventInput, "method" | "clientIp" | "userAgent" | "durationMs" | "isPull" | "tag"> & { children?: string[] };

/** The reason stored for an allowed request that still failed: the manifest or blob is not there, or the upstream failed. */
function failureReason(status: number): PullDenialReason | null {
  if (status === 404) return "not_found";
  if (status >= 500 || status === 429) return "upstream_error";
  return null;
}

export function createRegistryApi(deps: RegistryApiDeps) {
  const { data, throttle } = deps;
  const pullCounter = deps.pullCounter ?? new PullCounter();
  const badCredentialsRecorded = new Map<string, number>();

  function clientIp(req: IncomingMessage): string {
    return clientAddress(req, deps.trustForwarded ?? false);
  }

  /** Refuses (429) a credential that keeps failing from this client's network; other credentials are unaffected. */
  async function tooMany(req: IncomingMessage, res: ServerResponse, credentials: Credentials): Promise<boolean> {
    const retryAfter = await throttle.retryAfterSeconds({ address: clientIp(req), credentials });
    if (retryAfter <= 0) return false;
    deps.metrics.authDecisions.inc({ result: "rate_limited" });
    sendOciError(res, "TOOMANYREQUESTS", "too many failed attempts with these credentials; try again later", {
      headers: { "Retry-After": String(retryAfter) },
    });
    return true;
  }

  async function recordFailure(req: IncomingMessage, credentials: Credentials): Promise<void> {
    await throttle.recordFailure({ address: clientIp(req), credentials });
    deps.metrics.authDecisions.inc({ result: "bad_credentials" });
  }

  async function unauthorized(
    req: IncomingMessage,
    res: ServerResponse,
    origin: RequestOrigin,
    repository: string | undefined,
    failed: Credentials | null,
    message?: string,
  ): Promise<void> {
    if (failed) await recordFailure(req, failed);
    sendOciError(res, "UNAUTHORIZED", message ?? (failed ? "invalid license ID or token" : "authentication required"), {
      headers: { "WWW-Authenticate": bearerChallenge(origin, repository) },
    });
  }

  function record(req: IncomingMessage, started: number, recorded: RecordedEvent) {
    const { children, ...partial } = recorded;
    const event = {
      ...partial,
      reason: partial.reason ?? null,
      method: req.method ?? "GET",
      clientIp: clientIp(req),
      userAgent: (req.headers["user-agent"] as string | undefined) ?? null,
      durationMs: performance.now() - started,
      time: new Date(),
    };
    const counted = pullCounter.classify({ ...event, children, time: event.time.getTime() });
    deps.pullEvents.record({ ...event, ...counted });
  }

  /**
   * A wrong license ID or token on a path that names an app: recorded for
   * that app's team (the vendor sees failed attempts on their images), with
   * no customer. Unknown apps record nothing.
   */
  async function recordBadCredentials(req: IncomingMessage, started: number, appSlug: string, action: PullEventInput["action"], repository: string, reference: string | null) {
    const app = await data.app(appSlug).catch(() => null);
    if (!app) return;
    // Anyone may send wrong credentials for any app: at most one such row per
    // (app, client network) a minute, so a stranger cannot flood a vendor's pull log.
    const key = `${app.id}|${addressGroup(clientIp(req))}`;
    const now = Date.now();
    if (now - (badCredentialsRecorded.get(key) ?? 0) < BAD_CREDENTIALS_RECORD_INTERVAL_MS) return;
    if (badCredentialsRecorded.size >= 50_000) badCredentialsRecorded.clear();
    badCredentialsRecorded.set(key, now);
    record(req, started, {
      teamId: app.teamId,
      appId: app.id,
      customerId: null,
      licenseId: null,
      action,
      repository,
      reference,
      digest: null,
      status: 401,
      bytes: 0,
      cacheHit: false,
      reason: "bad_credentials",
    });
  }

  /**
   * GET /v2/ — 200 for a license that may pull, else the challenge. A license
   * that exists but may not pull (expired, access off, customer archived) is
   * refused here with the reason, so `docker login` fails with it.
   */
  async function handleBase(req: IncomingMessage, res: ServerResponse, origin: RequestOrigin): Promise<void> {
    const creds = readCredentials(req);
    if (!creds) return unauthorized(req, res, origin, undefined, null);
    if (await tooMany(req, res, creds)) return;
    const auth = await authenticate(data, creds, origin.host);
    if (!auth) return unauthorized(req, res, origin, undefined, creds);
    const refusal = licenseRefusal(auth.license);
    if (refusal) {
      deps.metrics.authDecisions.inc({ result: "denied" });
      return unauthorized(req, res, origin, undefined, null, refusal.message);
    }
    res.statusCode = 200;
    res.setHeader(API_VERSION_HEADER, API_VERSION);
    res.setHeader("Content-Type", "application/json");
    res.setHeader("Content-Length", "2");
    res.end(req.method === "HEAD" ? undefined : "{}");
  }

  /**
   * /v2/token — license credentials in, a short-lived JWT out. GET takes Basic
   * credentials and the scopes in the query (Docker's token spec); POST takes
   * the OAuth2 password grant form (containerd tries it first). Both grant
   * the same token.
   */
  async function handleToken(req: IncomingMessage, res: ServerResponse, origin: RequestOrigin, url: URL, hostScope: HostScope = DEFAULT_HOST): Promise<void> {
    const started = performance.now();
    const basicRealm = { "WWW-Authenticate": `Basic realm="${origin.host}"` };
    const oauth = req.method === "POST";
    let creds: Credentials | null;
    let scopes: string[];
    if (oauth) {
      const grant = await readPasswordGrant(req);
      if (!grant.ok) {
        return sendOciError(res, "UNSUPPORTED", grant.message, { status: grant.status, oauthError: grant.oauthError, headers: grant.unread ? { Connection: "close" } : {} });
      }
      ({ creds, scopes } = grant);
    } else {
      const header = readCredentials(req);
      creds = header?.kind === "basic" ? header : null;
      scopes = url.searchParams.getAll("scope");
    }
    const refuse = (message: string, extra: OciErrorOptions = {}) =>
      sendOciError(res, "UNAUTHORIZED", message, { headers: basicRealm, ...(oauth ? { oauthError: "invalid_grant" } : {}), ...extra });

    if (!creds) return refuse("log in with any username and your license ID as the password");
    if (await tooMany(req, res, creds)) return;
    const license = await licenseForId(data, creds.password);
    if (!license) {
      await recordFailure(req, creds);
      refuse("invalid license ID");
      const asked = firstRepositoryScope(scopes);
      if (asked) await recordBadCredentials(req, started, asked.appSlug, "token", asked.name, null);
      return;
    }
    const event = {
      teamId: license.teamId,
      appId: license.customer.appId,
      customerId: license.customer.id,
      licenseId: license.licenseId,
      action: "token" as const,
      reference: null,
      digest: null,
      bytes: 0,
      cacheHit: false,
    };
    // The credential is right but the license may not pull at all: say why
    // (not a failed guess, so not throttled).
    const refusal = licenseRefusal(license);
    if (refusal) {
      deps.metrics.authDecisions.inc({ result: "denied" });
      refuse(refusal.message);
      record(req, started, { ...event, repository: firstScopeName(scopes) ?? "", status: res.statusCode, reason: refusal.reason });
      return;
    }

    // Grant the intersection of what was asked and what the license allows
    // now; a partial grant is never an error (the per-request check explains
    // any denial with its reason).
    const access: GrantedAccess[] = [];
    let firstRepo: { name: string; appId: string | null } | null = null;
    for (const scope of scopes.flatMap((s) => s.split(" "))) {
      const parsed = parseScope(scope);
      if (!parsed || !parsed.actions.includes("pull")) continue;
      const name = checkRepositoryName(parsed.name);
      if (!name.ok) continue;
      const decision = await checkLicenseAccess(data, license, name.appSlug, name.segments, hostScope);
      firstRepo ??= { name: parsed.name, appId: decision.app?.id ?? null };
      if (decision.ok) access.push({ type: "repository", name: parsed.name, actions: ["pull"] });
    }
    deps.metrics.authDecisions.inc({ result: "token_issued" });
    const issued = await issueCustomerToken({ license, access }, origin.host);
    // OAuth2 clients also read token_type and the granted scope (RFC 6749 §5.1).
    const granted = access.map((a) => `repository:${a.name}:${a.actions.join(",")}`).join(" ");
    const body = JSON.stringify(oauth ? { ...issued, token_type: "Bearer", scope: granted } : issued);
    res.statusCode = 200;
    res.setHeader("Content-Type", "application/json");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Content-Length", Buffer.byteLength(body));
    res.end(body);
    record(req, started, { ...event, appId: firstRepo?.appId ?? license.customer.appId, repository: firstRepo?.name ?? "", status: 200 });
  }

  /** /v2/<name>/{manifests,blobs,tags,referrers}/... */
  async function handleRepository(
    req: IncomingMessage,
    res: ServerResponse,
    origin: RequestOrigin,
    url: URL,
    hostScope: HostScope = DEFAULT_HOST,
  ): Promise<void> {
    const started = performance.now();
    const route = parseRegistryPath(url.pathname);
    if (!route.ok) {
      if (route.code === "NOT_FOUND") return sendOciError(res, "NAME_UNKNOWN", `${route.message}: ${shortPath(url.pathname)}`, { status: 404 });
      return sendOciError(res, route.code, route.message);
    }
    const creds = readCredentials(req);
    if (!creds) return unauthorized(req, res, origin, route.repository, null);
    if (await tooMany(req, res, creds)) return;
    const auth: Authenticated | null = await authenticate(data, creds, origin.host);
    if (!auth) {
      await unauthorized(req, res, origin, route.repository, creds);
      return recordBadCredentials(req, started, route.appSlug, route.action, route.repository, route.reference);
    }

    const decision = await checkLicenseAccess(data, auth.license, route.appSlug, route.segments, hostScope);
    const baseEvent = {
      teamId: decision.app?.teamId ?? auth.license.teamId,
      appId: decision.app?.id ?? null,
      customerId: auth.license.customer.id,
      licenseId: auth.license.licenseId,
      action: route.action,
      repository: route.repository,
      // Bounded: an unknown reference comes straight from the request line.
      reference: route.reference?.slice(0, 140) ?? null,
    };
    if (!decision.ok) {
      deps.metrics.authDecisions.inc({ result: decision.code === "DENIED" ? "denied" : "name_unknown" });
      sendOciError(res, decision.code, decision.message);
      record(req, started, { ...baseEvent, digest: null, status: res.statusCode, bytes: 0, cacheHit: false, reason: decision.reason });
      return;
    }
    // A token is only good for the repositories it names: ask for a new one.
    if (auth.token && !tokenAllows(auth.token, route.repository)) {
      return sendOciError(res, "UNAUTHORIZED", "token does not grant pull access to this repository", {
        headers: { "WWW-Authenticate": `${bearerChallenge(origin, route.repository)},error="insufficient_scope"` },
      });
    }
    deps.metrics.authDecisions.inc({ result: "allowed" });

    // A reference no registry could hold: not there, and nothing to ask upstream.
    if (route.unknownReference) {
      const reference = route.reference!;
      sendNotFound(res, route.action === "blob" ? blobNotFound(route.repository, reference) : manifestNotFound(route.repository, reference));
      record(req, started, { ...baseEvent, digest: null, status: res.statusCode, bytes: 0, cacheHit: false });
      return;
    }

    const ctx: PullContext = {
      ...decision,
      req,
      res,
      repository: route.repository,
      reference: route.reference,
      query: url.searchParams,
      metrics: deps.metrics,
      event: { digest: route.reference?.includes(":") ? route.reference : null, bytes: 0, cacheHit: false },
    };
    res.once("close", () => {
      deps.metrics.registryRequests.inc({ action: route.action, status: String(res.statusCode) });
      deps.metrics.bytesServed.inc({ action: route.action }, ctx.event.bytes);
      const upstreamError = upstreamFailureOf(res) ?? null;
      if (upstreamError) deps.logger?.warn({ registryId: decision.registry.id, status: res.statusCode, upstreamError }, "upstream failure");
      record(req, started, {
        ...baseEvent,
        digest: ctx.event.digest,
        status: res.statusCode,
        bytes: ctx.event.bytes,
        cacheHit: ctx.event.cacheHit,
        upstreamError,
        reason: failureReason(res.statusCode),
        children: res.statusCode === 200 ? indexChildren(ctx.event.manifest, res.getHeader("content-type")) : undefined,
      });
    });
    await deps.handlers[route.action](ctx);
  }

  return { handleBase, handleToken, handleRepository };
}

/** The first repository a token request names, for its pull event. */
function firstScopeName(scopes: string[]): string | null {
  for (const scope of scopes.flatMap((s) => s.split(" "))) {
    const parsed = parseScope(scope);
    if (parsed) return parsed.name.slice(0, 255);
  }
  return null;
}

function shortPath(pathname: string): string {
  return pathname.length > 200 ? `${pathname.slice(0, 197)}...` : pathname;
}

/** The first repository a token request asks about (its app slug tells which team to record a failure for). */
function firstRepositoryScope(scopes: string[]): { name: string; appSlug: string } | null {
  for (const scope of scopes.flatMap((s) => s.split(" "))) {
    const parsed = parseScope(scope);
    if (!parsed) continue;
    const name = checkRepositoryName(parsed.name);
    if (name.ok) return { name: parsed.name, appSlug: name.appSlug };
  }
  return null;
}
