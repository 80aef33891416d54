import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthorizationData } from "./authorization-data";
import type { AuthRateLimiter } from "./auth-rate-limit";
import { clientAddress } from "./client-address";
import { bearerChallenge, type RequestOrigin } from "./challenge";
import { authenticate, licenseForId, readCredentials, type Authenticated } from "./customer-auth";
import { issueCustomerToken, parseScope, tokenAllows, type GrantedAccess } from "./customer-token";
import { sendOciError, API_VERSION, API_VERSION_HEADER } from "./errors";
import { checkLicenseAccess, type Authorized } from "./license-check";
import type { PullEventInput, PullEventQueue } from "./pull-events";
import { indexChildren, PullCounter } from "./pull-counting";
import type { PullDenialReason } from "@/lib/licenses/decide-pull";
import { checkRepositoryName, parseRegistryPath, type RegistryAction } from "./repository-path";
import type { ProxyMetrics } from "./metrics";
import { DEFAULT_HOST, type HostScope } from "./request-host";

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
  rateLimiter: AuthRateLimiter;
  pullEvents: PullEventQueue;
  metrics: ProxyMetrics;
  handlers: Record<RegistryAction, ActionHandler>;
  /** Take the client's address from X-Forwarded-For (PROXY_TRUST_FORWARDED=1). */
  trustForwarded?: boolean;
  /** Decides which events are pulls (one per process). */
  pullCounter?: PullCounter;
};

type RecordedEvent = Omit<PullEventInput, "method" | "clientIp" | "userAgent" | "durationMs" | "isPull" | "tag"> & { children?: string[] };

/** The reason stored for an allowed request that still failed: the manifest or blob is not there, or the upstream failed. */
function failureReason(status: number): PullDenialReason | null {
  if (status === 404) return "not_found";
  if (status >= 500 || status === 429) return "upstream_error";
  return null;
}

export function createRegistryApi(deps: RegistryApiDeps) {
  const { data, rateLimiter } = deps;
  const pullCounter = deps.pullCounter ?? new PullCounter();

  function clientIp(req: IncomingMessage): string {
    return clientAddress(req, deps.trustForwarded ?? false);
  }

  function tooMany(req: IncomingMessage, res: ServerResponse): boolean {
    const retryAfter = rateLimiter.retryAfterSeconds(clientIp(req));
    if (retryAfter <= 0) return false;
    deps.metrics.authDecisions.inc({ result: "rate_limited" });
    sendOciError(res, "TOOMANYREQUESTS", "too many failed authentication attempts; try again later", {
      headers: { "Retry-After": String(retryAfter) },
    });
    return true;
  }

  function unauthorized(req: IncomingMessage, res: ServerResponse, origin: RequestOrigin, repository: string | undefined, failed: boolean, message?: string) {
    if (failed) {
      rateLimiter.recordFailure(clientIp(req));
      deps.metrics.authDecisions.inc({ result: "bad_credentials" });
    }
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

  /** GET /v2/ — 200 for any valid license, else the challenge. */
  async function handleBase(req: IncomingMessage, res: ServerResponse, origin: RequestOrigin): Promise<void> {
    if (tooMany(req, res)) return;
    const creds = readCredentials(req);
    if (!creds) return unauthorized(req, res, origin, undefined, false);
    const auth = await authenticate(data, creds, origin.host);
    if (!auth) return unauthorized(req, res, origin, undefined, true);
    res.statusCode = 200;
    res.setHeader(API_VERSION_HEADER, API_VERSION);
    res.setHeader("Content-Type", "application/json");
    res.setHeader("Content-Length", "2");
    res.end(req.method === "HEAD" ? undefined : "{}");
  }

  /** GET /v2/token — Basic license credentials in, a short-lived JWT out. */
  async function handleToken(req: IncomingMessage, res: ServerResponse, origin: RequestOrigin, url: URL, hostScope: HostScope = DEFAULT_HOST): Promise<void> {
    const started = performance.now();
    if (tooMany(req, res)) return;
    const creds = readCredentials(req);
    if (!creds || creds.kind !== "basic") {
      return sendOciError(res, "UNAUTHORIZED", "log in with any username and your license ID as the password", {
        headers: { "WWW-Authenticate": `Basic realm="${origin.host}"` },
      });
    }
    const license = await licenseForId(data, creds.password);
    if (!license) {
      rateLimiter.recordFailure(clientIp(req));
      deps.metrics.authDecisions.inc({ result: "bad_credentials" });
      sendOciError(res, "UNAUTHORIZED", "invalid license ID", {
        headers: { "WWW-Authenticate": `Basic realm="${origin.host}"` },
      });
      const asked = firstRepositoryScope(url);
      if (asked) await recordBadCredentials(req, started, asked.appSlug, "token", asked.name, null);
      return;
    }

    // Grant the intersection of what was asked and what the license allows
    // now; a partial grant is never an error (the per-request check explains
    // any denial with its reason).
    const access: GrantedAccess[] = [];
    let firstRepo: { name: string; appId: string | null } | null = null;
    for (const scope of url.searchParams.getAll("scope").flatMap((s) => s.split(" "))) {
      const parsed = parseScope(scope);
      if (!parsed || !parsed.actions.includes("pull")) continue;
      const name = checkRepositoryName(parsed.name);
      if (!name.ok) continue;
      const decision = await checkLicenseAccess(data, license, name.appSlug, name.segments, hostScope);
      firstRepo ??= { name: parsed.name, appId: decision.app?.id ?? null };
      if (decision.ok) access.push({ type: "repository", name: parsed.name, actions: ["pull"] });
    }
    deps.metrics.authDecisions.inc({ result: "token_issued" });
    const body = JSON.stringify(await issueCustomerToken({ licenseId: license.licenseId, access }, origin.host));
    res.statusCode = 200;
    res.setHeader("Content-Type", "application/json");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Content-Length", Buffer.byteLength(body));
    res.end(body);
    record(req, started, {
      teamId: license.teamId,
      appId: firstRepo?.appId ?? license.customer.appId,
      customerId: license.customer.id,
      licenseId: license.licenseId,
      action: "token",
      repository: firstRepo?.name ?? "",
      reference: null,
      digest: null,
      status: 200,
      bytes: 0,
      cacheHit: false,
    });
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
      if (route.code === "NOT_FOUND") return sendOciError(res, "NAME_UNKNOWN", "repository name not known to registry", { status: 404 });
      if (route.code === "MANIFEST_INVALID_REFERENCE") return sendOciError(res, "MANIFEST_UNKNOWN", route.message, { status: 400 });
      return sendOciError(res, route.code, route.message);
    }
    if (tooMany(req, res)) return;
    const creds = readCredentials(req);
    if (!creds) return unauthorized(req, res, origin, route.repository, false);
    const auth: Authenticated | null = await authenticate(data, creds, origin.host);
    if (!auth) {
      unauthorized(req, res, origin, route.repository, true);
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
      reference: route.reference,
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
      record(req, started, {
        ...baseEvent,
        digest: ctx.event.digest,
        status: res.statusCode,
        bytes: ctx.event.bytes,
        cacheHit: ctx.event.cacheHit,
        reason: failureReason(res.statusCode),
        children: res.statusCode === 200 ? indexChildren(ctx.event.manifest, res.getHeader("content-type")) : undefined,
      });
    });
    await deps.handlers[route.action](ctx);
  }

  return { handleBase, handleToken, handleRepository };
}

/** The first repository a token request asks about (its app slug tells which team to record a failure for). */
function firstRepositoryScope(url: URL): { name: string; appSlug: string } | null {
  for (const scope of url.searchParams.getAll("scope").flatMap((s) => s.split(" "))) {
    const parsed = parseScope(scope);
    if (!parsed) continue;
    const name = checkRepositoryName(parsed.name);
    if (name.ok) return { name: parsed.name, appSlug: name.appSlug };
  }
  return null;
}
