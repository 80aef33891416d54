import { createHash } from "node:crypto";
import { request as undiciRequest } from "undici";
import type { Dispatcher } from "undici";
import type { RegistryProvider } from "@/lib/generated/prisma/enums";
import { pickChallenge, parseWwwAuthenticate } from "@/lib/upstream/challenge";
import type { Challenge } from "@/lib/upstream/challenge";
import { upstreamAgent } from "@/lib/upstream/dispatcher";
import { getEcrBasicCredentials } from "@/lib/upstream/ecr";
import type { BasicCredentials } from "@/lib/upstream/ecr";
import { apiHost } from "@/lib/upstream/endpoint";
import { classifyTransportError, isPlainHttpPeer, isTlsFailure, UpstreamError } from "@/lib/upstream/errors";
import { ExpiringCache } from "@/lib/upstream/expiring-cache";
import { abortable } from "@/lib/upstream/abortable";
import { socketGet, type SocketGetResponse } from "@/lib/upstream/socket-get";

// The one client for talking to a vendor's registry, used by the connection
// test and by the proxy. It follows whatever the registry's `/v2/` challenge
// asks (Basic, or Bearer through the token realm with Basic credentials),
// caches Bearer tokens per (registry identity, scope), signs ECR in through
// the AWS SDK, and follows redirects itself so Authorization never leaves the
// registry's origin. It never puts the secret in an error message.
//
// Every socket it opens passes the outbound policy (lib/outbound, through
// upstreamAgent): the registry, its token service and every redirect hop.
// On top of that: HTTPS only, unless the vendor marked the registry insecure
// (allowHttp); never a redirect from HTTPS to HTTP; and only blob requests
// may be redirected off the registry's origin (to object storage or a CDN).

export type UpstreamCredential = {
  provider: RegistryProvider;
  endpoint: string;
  username: string;
  secret: string;
  allowHttp?: boolean;
};

export type UpstreamClientOptions = {
  /** ECR API endpoint override (tests); else PULLGATE_ECR_ENDPOINT, else AWS. */
  ecrEndpoint?: string;
};

export type UpstreamRequestOptions = {
  headers?: Record<string, string>;
  /** Token scope, e.g. `repository:acme/api:pull`; derived from the path when absent. */
  scope?: string;
  signal?: AbortSignal;
};

export type UpstreamResponse = Dispatcher.ResponseData & {
  /** Final URL after redirects. */
  url: string;
};

/** A GET whose body is read straight off the socket into large buffers (blobs): see socket-get.ts. */
export type UpstreamStreamResponse = SocketGetResponse & {
  /** Final URL after redirects. */
  url: string;
};

/** What the request flow (challenges, redirects) needs of a response, whichever transport read it. */
type AnyResponse = { statusCode: number; headers: Record<string, string | string[] | undefined>; body: { dump(): Promise<void> } };
type Send<R extends AnyResponse> = (method: string, url: string, headers: Record<string, string>, signal?: AbortSignal) => Promise<R>;

export type ManifestInfo = { digest: string | undefined; mediaType: string | undefined; size: number | undefined };

export type UpstreamClient = {
  /** host[:port] of the registry API (Docker Hub: registry-1.docker.io). */
  readonly host: string;
  request(method: "GET" | "HEAD", path: string, options?: UpstreamRequestOptions): Promise<UpstreamResponse>;
  /** GET for large bodies: same authentication and redirect rules, body read straight off a kept-alive connection of its own transport. */
  requestStream(path: string, options?: UpstreamRequestOptions): Promise<UpstreamStreamResponse>;
  /** GET /v2/ with authentication: resolves when the registry accepts the credentials, else throws UpstreamError. */
  pingV2(options?: { signal?: AbortSignal }): Promise<void>;
  headManifest(repository: string, reference: string, accept?: string, options?: { signal?: AbortSignal }): Promise<ManifestInfo>;
};

export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

const USER_AGENT = "pullgate/0.1";
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// Shared by every client in the process so the proxy and repeated connection
// tests reuse tokens. Keys include a hash of the credentials, never the secret.
const bearerTokens = new ExpiringCache<string>({ refreshMarginMs: 30_000, refreshMarginFraction: 0.2 });

let tokenRequestCount = 0;
/** How many Bearer tokens this process fetched (metrics, tests). */
export function upstreamTokenRequests(): number {
  return tokenRequestCount;
}

export function clearUpstreamTokenCache(): void {
  bearerTokens.clear();
}

/** `/v2/<name>/blobs/<digest>`: the only requests whose answers may come from another origin (object storage, CDNs). */
export function isBlobPath(path: string): boolean {
  return /^\/v2\/.+\/blobs\/[^/]+$/.test(path.split("?")[0] ?? "");
}

/** `repository:<name>:pull` for registry API paths, none for `/v2/`. */
export function scopeForPath(path: string): string {
  const match = /^\/v2\/(.+?)\/(?:manifests|blobs|tags|referrers)(?:\/|$)/.exec(path.split("?")[0] ?? "");
  return match ? `repository:${match[1]}:pull` : "";
}

export function createUpstreamClient(credential: UpstreamCredential, options: UpstreamClientOptions = {}): UpstreamClient {
  const host = apiHost(credential.endpoint);
  const allowHttp = Boolean(credential.allowHttp);
  const identity = createHash("sha256")
    .update([credential.provider, host, credential.username, credential.secret].join("\0"))
    .digest("hex")
    .slice(0, 32);
  const dispatcher = upstreamAgent({ insecureTls: allowHttp });

  let scheme: Promise<"https" | "http"> | undefined;
  let challenge: Challenge | null | undefined; // undefined: not learned yet; null: none needed

  async function send(method: string, url: string, headers: Record<string, string>, signal?: AbortSignal) {
    try {
      return await abortableResponse(undiciRequest(url, { method: method as Dispatcher.HttpMethod, headers, dispatcher, signal }), signal);
    } catch (err) {
      throw classifyTransportError(err, new URL(url).host);
    }
  }

  async function sendStream(method: string, url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<SocketGetResponse> {
    try {
      if (method !== "GET") throw new Error("streamed requests are GETs");
      return await socketGet(url, headers, { insecureTls: allowHttp, signal });
    } catch (err) {
      throw classifyTransportError(err, new URL(url).host);
    }
  }

  /** HTTPS, except that registries marked insecure may answer plain HTTP (detected once). */
  function baseUrl(signal?: AbortSignal): Promise<string> {
    if (!allowHttp) return Promise.resolve(`https://${host}`);
    scheme ??= (async () => {
      try {
        const res = await abortableResponse(
          undiciRequest(`https://${host}/v2/`, { method: "GET", headers: { "user-agent": USER_AGENT }, dispatcher, signal }),
          signal,
        );
        await res.body.dump();
        return "https" as const;
      } catch (err) {
        if (isPlainHttpPeer(err)) return "http" as const;
        // Never downgrade past a certificate problem; other failures (a reset
        // handshake) may still be a plain-HTTP server: try it once.
        if (isTlsFailure(err)) throw classifyTransportError(err, host);
        try {
          const res = await abortableResponse(
            undiciRequest(`http://${host}/v2/`, { method: "GET", headers: { "user-agent": USER_AGENT }, dispatcher, signal }),
            signal,
          );
          await res.body.dump();
          return "http" as const;
        } catch {
          throw classifyTransportError(err, host);
        }
      }
    })();
    scheme.catch(() => (scheme = undefined));
    return scheme.then((s) => `${s}://${host}`);
  }

  async function basicCredentials(): Promise<BasicCredentials | undefined> {
    if (credential.provider === "ecr") {
      return getEcrBasicCredentials(host, { accessKeyId: credential.username, secretAccessKey: credential.secret }, {
        ecrEndpoint: options.ecrEndpoint,
      });
    }
    const username = credential.username || ((credential.provider === "gar" || credential.provider === "gcr") ? "_json_key" : "");
    if (!username && !credential.secret) return undefined;
    return { username, password: credential.secret };
  }

  function basicHeader(creds: BasicCredentials): string {
    return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
  }

  async function fetchBearerToken(bearer: Challenge, scope: string, signal?: AbortSignal) {
    const realm = bearer.params.realm;
    if (!realm) throw new UpstreamError("not_a_registry", `${host} asked for a Bearer token without naming a token service.`);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new UpstreamError("not_a_registry", `${host} named an invalid token service URL.`);
    }
    if (realmUrl.protocol === "http:" && !allowHttp) {
      throw new UpstreamError("tls", `${host} sends credentials to a plain-HTTP token service (${realmUrl.host}); refusing.`);
    }
    if (realmUrl.protocol !== "https:" && realmUrl.protocol !== "http:") {
      throw new UpstreamError("not_a_registry", `${host} named a token service that is not an HTTP(S) URL.`);
    }
    if (bearer.params.service) realmUrl.searchParams.set("service", bearer.params.service);
    for (const s of scope.split(" ").filter(Boolean)) realmUrl.searchParams.append("scope", s);
    const creds = await basicCredentials();
    const headers: Record<string, string> = { "user-agent": USER_AGENT, accept: "application/json" };
    if (creds) headers.authorization = basicHeader(creds);
    tokenRequestCount++;
    const res = await send("GET", realmUrl.toString(), headers, signal);
    const tokenHost = realmUrl.host;
    if (REDIRECT_STATUSES.has(res.statusCode)) {
      // A token answer is never followed elsewhere: the credentials were sent to this URL only.
      await res.body.dump();
      throw new UpstreamError("bad_response", `the token service ${tokenHost} answered with a redirect; refusing to follow it.`, res.statusCode);
    }
    if (res.statusCode === 401 || res.statusCode === 403) {
      await res.body.dump();
      throw new UpstreamError("unauthorized", `the token service ${tokenHost} rejected the username or password.`, res.statusCode);
    }
    if (res.statusCode >= 500) {
      await res.body.dump();
      throw new UpstreamError("upstream_5xx", `the token service ${tokenHost} answered HTTP ${res.statusCode}.`, res.statusCode);
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new UpstreamError("unauthorized", `the token service ${tokenHost} answered HTTP ${res.statusCode}.`, res.statusCode);
    }
    let body: { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    try {
      body = (await res.body.json()) as typeof body;
    } catch {
      throw new UpstreamError("bad_response", `the token service ${tokenHost} did not answer JSON.`);
    }
    const token = body.token || body.access_token;
    if (!token) throw new UpstreamError("bad_response", `the token service ${tokenHost} returned no token.`);
    // Distribution's default when expires_in is absent is 60 seconds.
    const expiresIn = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
    const issuedAt = body.issued_at ? Date.parse(body.issued_at) : NaN;
    const start = Number.isFinite(issuedAt) && issuedAt <= Date.now() ? issuedAt : Date.now();
    return { value: token, expiresAt: start + expiresIn * 1000 };
  }

  /** The Authorization header for a request with this scope, once the challenge is known. */
  async function authorization(scope: string, signal?: AbortSignal): Promise<string | undefined> {
    if (!challenge) return undefined;
    if (challenge.scheme === "basic") {
      const creds = await basicCredentials();
      return creds ? basicHeader(creds) : undefined;
    }
    const bearer = challenge;
    const token = await bearerTokens.getOrFetch(`${identity}|${scope}`, () => fetchBearerToken(bearer, scope, signal));
    return `Bearer ${token}`;
  }

  async function followRedirects<R extends AnyResponse>(
    send: Send<R>,
    res: R,
    method: string,
    url: string,
    headers: Record<string, string>,
    mayLeaveOrigin: boolean,
    signal?: AbortSignal,
  ): Promise<R & { url: string }> {
    let current = res;
    let currentUrl = url;
    let currentHeaders = headers;
    const registryOrigin = new URL(url).origin;
    for (let hops = 0; REDIRECT_STATUSES.has(current.statusCode); hops++) {
      const location = current.headers.location;
      if (typeof location !== "string") break;
      await current.body.dump();
      if (hops >= MAX_REDIRECTS) throw new UpstreamError("bad_response", `${host} redirected too many times.`);
      let next: URL;
      try {
        next = new URL(location, currentUrl);
      } catch {
        throw new UpstreamError("bad_response", `${host} redirected to an invalid URL.`);
      }
      assertRedirectAllowed(new URL(currentUrl), next, registryOrigin, mayLeaveOrigin);
      // Credentials are for the registry only: object storage gets a pre-signed URL and no Authorization.
      if (next.origin !== new URL(currentUrl).origin) {
        currentHeaders = Object.fromEntries(Object.entries(currentHeaders).filter(([k]) => k.toLowerCase() !== "authorization"));
      }
      currentUrl = next.toString();
      current = await send(method, currentUrl, currentHeaders, signal);
    }
    return Object.assign(current, { url: currentUrl });
  }

  /** HTTP(S) only; never from HTTPS to HTTP; plain HTTP only for insecure registries; off-origin only for blobs. */
  function assertRedirectAllowed(from: URL, to: URL, registryOrigin: string, mayLeaveOrigin: boolean): void {
    const where = `${to.protocol}//${to.host}`;
    if (to.protocol !== "https:" && to.protocol !== "http:") {
      throw new UpstreamError("bad_response", `${host} redirected to a disallowed location (${to.protocol}).`);
    }
    if (to.protocol === "http:" && from.protocol === "https:") {
      throw new UpstreamError("bad_response", `${host} redirected from HTTPS to plain HTTP (${where}); refusing.`);
    }
    if (to.protocol === "http:" && !allowHttp) {
      throw new UpstreamError("bad_response", `${host} redirected to plain HTTP (${where}) but is not marked insecure; refusing.`);
    }
    if (!mayLeaveOrigin && to.origin !== registryOrigin) {
      throw new UpstreamError("bad_response", `${host} redirected a non-blob request to another origin (${where}); refusing.`);
    }
  }

  function request(method: "GET" | "HEAD", path: string, opts: UpstreamRequestOptions = {}): Promise<UpstreamResponse> {
    return requestVia(send, method, path, opts);
  }

  function requestStream(path: string, opts: UpstreamRequestOptions = {}): Promise<UpstreamStreamResponse> {
    return requestVia(sendStream, "GET", path, opts);
  }

  async function requestVia<R extends AnyResponse>(send: Send<R>, method: "GET" | "HEAD", path: string, opts: UpstreamRequestOptions): Promise<R & { url: string }> {
    const url = `${await baseUrl(opts.signal)}${path}`;
    let scope = opts.scope ?? scopeForPath(path);
    const headers: Record<string, string> = { "user-agent": USER_AGENT, ...opts.headers };
    const auth = await authorization(scope, opts.signal);
    if (auth) headers.authorization = auth;
    let res = await send(method, url, headers, opts.signal);

    if (res.statusCode === 401) {
      const offered = pickChallenge(parseWwwAuthenticate(res.headers["www-authenticate"]));
      const retry =
        offered &&
        // Basic credentials already sent and refused: sending them again cannot help.
        !(auth?.startsWith("Basic ") && offered.scheme === "basic");
      if (retry) {
        await res.body.dump();
        challenge = offered.scheme === "basic" ? { scheme: "basic", params: {} } : { scheme: "bearer", params: { ...offered.params } };
        if (offered.scheme === "bearer" && auth?.startsWith("Bearer ")) {
          // A refused token is stale or too narrow: drop it and ask for what the registry names.
          bearerTokens.delete(`${identity}|${scope}`);
          if (offered.params.scope && !scope.split(" ").includes(offered.params.scope)) {
            scope = offered.params.scope;
            bearerTokens.delete(`${identity}|${scope}`);
          }
        }
        const fresh = await authorization(scope, opts.signal);
        if (fresh) {
          headers.authorization = fresh;
          res = await send(method, url, headers, opts.signal);
        } else {
          delete headers.authorization;
          res = await send(method, url, headers, opts.signal);
        }
      }
    } else if (challenge === undefined && res.statusCode < 400) {
      challenge = null;
    }
    return followRedirects(send, res, method, url, headers, isBlobPath(path), opts.signal);
  }

  async function pingV2(opts: { signal?: AbortSignal } = {}): Promise<void> {
    const res = await request("GET", "/v2/", { signal: opts.signal });
    await res.body.dump();
    const apiVersion = res.headers["docker-distribution-api-version"];
    const contentType = String(res.headers["content-type"] ?? "");
    if (res.statusCode >= 200 && res.statusCode < 300) {
      if (!apiVersion && contentType.includes("text/html")) {
        throw new UpstreamError("not_a_registry", `${host} answered GET /v2/ with a web page, not the registry API.`, res.statusCode);
      }
      return;
    }
    throw statusError(res, "GET /v2/");
  }

  async function headManifest(repository: string, reference: string, accept = MANIFEST_ACCEPT, opts: { signal?: AbortSignal } = {}) {
    const res = await request("HEAD", `/v2/${repository}/manifests/${reference}`, { headers: { accept }, signal: opts.signal });
    await res.body.dump();
    if (res.statusCode === 200) {
      const length = Number(res.headers["content-length"]);
      return {
        digest: headerValue(res.headers["docker-content-digest"]),
        mediaType: headerValue(res.headers["content-type"]),
        size: Number.isFinite(length) ? length : undefined,
      };
    }
    if (res.statusCode === 404) {
      throw new UpstreamError("not_found", `${repository}:${reference} does not exist in ${host}.`, 404);
    }
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new UpstreamError("forbidden", `the registry refused pull access to ${repository}.`, res.statusCode);
    }
    throw statusError(res, `HEAD of ${repository}:${reference}`);
  }

  function statusError(res: Dispatcher.ResponseData, what: string): UpstreamError {
    const status = res.statusCode;
    const hasChallenge = parseWwwAuthenticate(res.headers["www-authenticate"]).length > 0;
    if (status === 401 && hasChallenge) return new UpstreamError("unauthorized", `${host} rejected the username or password.`, status);
    if (status === 403) return new UpstreamError("forbidden", `${host} refused access (HTTP 403).`, status);
    if (status >= 500) return new UpstreamError("upstream_5xx", `${host} answered ${what} with HTTP ${status}.`, status);
    return new UpstreamError("not_a_registry", `${host} answered ${what} with HTTP ${status}.`, status);
  }

  return { host, request, requestStream, pingV2, headManifest };
}

/**
 * undici honours an abort only once a connection exists; a TLS handshake that
 * hangs would otherwise hold the caller until the connect timeout. A response
 * that arrives after the abort is discarded.
 */
/** An undici request given up on when `signal` aborts; a response arriving later has its body discarded. */
function abortableResponse(promise: Promise<Dispatcher.ResponseData>, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
  return abortable(promise, signal, (res) => res.body.destroy());
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
