import type { IncomingMessage, ServerResponse } from "node:http";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { InvalidHostError, requestOrigin, type OriginOptions } from "./challenge";
import { sendOciError } from "./errors";
import { sendHealthz, sendReadyz } from "./health";
import type { ProxyMetrics } from "./metrics";
import type { createRegistryApi } from "./registry-api";
import { JWKS_PATH, type createLicenseApi } from "./license-api";
import type { AuthorizationData } from "./authorization-data";
import { resolveRequestHost, type HostScope } from "./request-host";

// Dispatch by method and path. Route names double as metric labels, so they
// are a fixed set rather than the raw path.
export type RouteName = "/v2/" | "/v2/token" | "/v2/*" | "/v1/license" | "/.well-known/jwks" | "/healthz" | "/readyz" | "/metrics" | "/_pullgate/fills" | "not_found";

export type RouterDeps = OriginOptions & {
  registryApi: ReturnType<typeof createRegistryApi>;
  licenseApi: ReturnType<typeof createLicenseApi>;
  /** Looks up verified custom domains for the Host check. */
  data: AuthorizationData;
  prisma: PrismaClient;
  metrics: ProxyMetrics;
  readyTimeoutMs: number;
  /** True while the server drains for shutdown: /readyz answers 503 so load balancers stop sending pulls. */
  isDraining?: () => boolean;
  /** Replicas' internal endpoint for downloads in progress (proxy/cache/peer-fills.ts). */
  peerFills?: (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;
};

export type RequestContext = { route: RouteName };

const READ_METHODS = new Set(["GET", "HEAD"]);
const ALLOW_HEADER = { Allow: "GET, HEAD" };
const TOKEN_ALLOW_HEADER = { Allow: "GET, HEAD, POST" };

export function createRouter(deps: RouterDeps) {
  return async function route(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    const url = requestUrl(req.url);
    const pathname = url.pathname;
    const readMethod = READ_METHODS.has(req.method ?? "");

    if (pathname === "/healthz" || pathname === "/readyz" || pathname === "/metrics") {
      ctx.route = pathname;
      if (!readMethod) return sendOciError(res, "UNSUPPORTED", `${req.method} is not supported on ${pathname}`, { headers: ALLOW_HEADER });
      if (pathname === "/healthz") return sendHealthz(res);
      if (pathname === "/readyz") return sendReadyz(res, deps.prisma, deps.readyTimeoutMs, deps.isDraining?.() ?? false);
      return sendMetrics(res, deps.metrics);
    }

    const jwks = JWKS_PATH.exec(pathname);
    if (pathname === "/v1/license" || jwks) {
      ctx.route = jwks ? "/.well-known/jwks" : "/v1/license";
      if (!readMethod) return sendOciError(res, "UNSUPPORTED", `${req.method} is not supported on ${pathname}`, { headers: ALLOW_HEADER });
      const scope = await hostScope(req, res, deps);
      if (!scope) return;
      if (jwks) return deps.licenseApi.handleJwks(req, res, jwks[1]!);
      return deps.licenseApi.handleLicense(req, res, scope);
    }

    if (deps.peerFills && pathname.startsWith("/_pullgate/fills/")) {
      ctx.route = "/_pullgate/fills";
      return deps.peerFills(req, res, pathname);
    }

    if (pathname !== "/v2" && !pathname.startsWith("/v2/")) {
      ctx.route = "not_found";
      res.statusCode = 404;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      return void res.end(req.method === "HEAD" ? undefined : "not found\n");
    }

    ctx.route = pathname === "/v2" || pathname === "/v2/" ? "/v2/" : pathname === "/v2/token" ? "/v2/token" : "/v2/*";
    // The registry API is pull-only: pushes and deletes are refused before
    // anything else. The token endpoint also takes the OAuth2 form by POST.
    if (ctx.route === "/v2/token" && !readMethod && req.method !== "POST") {
      return sendOciError(res, "UNSUPPORTED", `${req.method} is not supported on /v2/token`, { headers: TOKEN_ALLOW_HEADER });
    }
    if (ctx.route !== "/v2/token" && !readMethod) {
      return sendOciError(res, "UNSUPPORTED", `${req.method} is not supported: this registry is pull-only`, { headers: ALLOW_HEADER });
    }

    let origin;
    try {
      origin = requestOrigin(req, deps);
    } catch (err) {
      if (err instanceof InvalidHostError) return sendOciError(res, "UNSUPPORTED", "invalid Host header", { status: 400 });
      throw err;
    }

    // Only the default host and verified custom domains are served (see request-host.ts).
    const scope = await resolveRequestHost(deps.data, origin.host, deps.publicHost);
    if (!scope) {
      return sendOciError(res, "NAME_UNKNOWN", `unknown registry host: ${origin.host} is neither this proxy's host nor a verified custom domain`, {
        status: 404,
      });
    }

    if (ctx.route === "/v2/") return deps.registryApi.handleBase(req, res, origin);
    if (ctx.route === "/v2/token") return deps.registryApi.handleToken(req, res, origin, url, scope);
    return deps.registryApi.handleRepository(req, res, origin, url, scope);
  };
}

/** The scope of a Host we serve, or null after answering 400/404 for one we do not. */
async function hostScope(req: IncomingMessage, res: ServerResponse, deps: RouterDeps): Promise<HostScope | null> {
  let origin;
  try {
    origin = requestOrigin(req, deps);
  } catch (err) {
    if (!(err instanceof InvalidHostError)) throw err;
    sendOciError(res, "UNSUPPORTED", "invalid Host header", { status: 400 });
    return null;
  }
  const scope = await resolveRequestHost(deps.data, origin.host, deps.publicHost);
  if (!scope) sendOciError(res, "NAME_UNKNOWN", `unknown registry host: ${origin.host} is neither this proxy's host nor a verified custom domain`, { status: 404 });
  return scope;
}

/** The request target parsed once; handlers read path and query from it. */
function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? "/", "http://proxy.invalid");
  } catch {
    return new URL("/", "http://proxy.invalid");
  }
}

async function sendMetrics(res: ServerResponse, metrics: ProxyMetrics): Promise<void> {
  const body = await metrics.registry.metrics();
  res.statusCode = 200;
  res.setHeader("Content-Type", metrics.registry.contentType);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.setHeader("Cache-Control", "no-store");
  res.end(res.req.method === "HEAD" ? undefined : body);
}
