import { createHash } from "node:crypto";
import type * as EcrSdk from "@aws-sdk/client-ecr";
import { ExpiringCache } from "@/lib/upstream/expiring-cache";
import { classifyTransportError, UpstreamError } from "@/lib/upstream/errors";
import { hostname } from "@/lib/upstream/endpoint";
import { ECR_HOST } from "@/lib/registries/providers";
import { outboundHttpAgent, outboundHttpsAgent } from "@/lib/outbound/outbound-connector";

// Amazon ECR does not take the access key as a registry password: the key signs
// (SigV4) a GetAuthorizationToken call whose answer is base64("AWS:<password>"),
// valid for 12 hours. We cache it per key until shortly before it expires.

export type EcrKeys = { accessKeyId: string; secretAccessKey: string };
export type BasicCredentials = { username: string; password: string };

// The AWS SDK costs ~20 MiB of memory and ~120 ms of start-up in every process
// that imports it (proxy, portal, CLI), so it is loaded on the first ECR token
// request, not at start-up: teams without an ECR registry never pay for it.
let ecrSdk: Promise<typeof EcrSdk> | undefined;
function loadEcrSdk(): Promise<typeof EcrSdk> {
  ecrSdk ??= import("@aws-sdk/client-ecr").catch((err: unknown) => {
    ecrSdk = undefined; // let the next request try again
    throw err;
  });
  return ecrSdk;
}

const tokens = new ExpiringCache<BasicCredentials>({ refreshMarginMs: 30 * 60_000, maxEntries: 1_000 });

/** The AWS region named in an ECR registry host, e.g. eu-west-1. */
export function ecrRegion(host: string): string | undefined {
  return ECR_HOST.exec(hostname(host))?.[2];
}

/** The ECR API endpoint override: an option, else PULLGATE_ECR_ENDPOINT (tests), else AWS's own. */
function ecrApiEndpoint(override?: string): string | undefined {
  return override || process.env.PULLGATE_ECR_ENDPOINT || undefined;
}

export async function getEcrBasicCredentials(
  registryHost: string,
  keys: EcrKeys,
  options: { ecrEndpoint?: string; region?: string } = {},
): Promise<BasicCredentials> {
  const region = options.region ?? ecrRegion(registryHost) ?? process.env.AWS_REGION ?? "us-east-1";
  const endpoint = ecrApiEndpoint(options.ecrEndpoint);
  const cacheKey = createHash("sha256")
    .update([endpoint ?? "aws", region, keys.accessKeyId, keys.secretAccessKey].join("\0"))
    .digest("hex");
  return tokens.getOrFetch(cacheKey, () => fetchEcrToken(region, keys, endpoint));
}

async function fetchEcrToken(region: string, keys: EcrKeys, endpoint: string | undefined) {
  const { ECRClient, GetAuthorizationTokenCommand } = await loadEcrSdk();
  const client = new ECRClient({
    region,
    endpoint,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    maxAttempts: 2,
    // The API endpoint is AWS's own, or PULLGATE_ECR_ENDPOINT: it passes the outbound policy like any upstream.
    // Fresh agents per client: destroy() below closes them.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 20_000, httpAgent: outboundHttpAgent(), httpsAgent: outboundHttpsAgent() },
  });
  const apiName = endpoint ? new URL(endpoint).host : `ecr.${region}.amazonaws.com`;
  try {
    const result = await client.send(new GetAuthorizationTokenCommand({}));
    const data = result.authorizationData?.[0];
    if (!data?.authorizationToken) throw new UpstreamError("bad_response", `${apiName} returned no authorization token.`);
    const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) throw new UpstreamError("bad_response", `${apiName} returned a malformed authorization token.`);
    const expiresAt = data.expiresAt ? data.expiresAt.getTime() : Date.now() + 12 * 3600_000;
    return {
      value: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) },
      expiresAt,
    };
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (err as Error).name;
    if (status === 400 || status === 401 || status === 403) {
      const denied = name === "AccessDeniedException";
      throw new UpstreamError(
        denied ? "forbidden" : "unauthorized",
        denied
          ? `AWS refused GetAuthorizationToken for this access key (${name}).`
          : `AWS rejected the access key ID or secret access key (${name}).`,
        status,
      );
    }
    if (status && status >= 500) throw new UpstreamError("upstream_5xx", `${apiName} answered HTTP ${status}.`, status);
    throw classifyTransportError(err, apiName);
  } finally {
    client.destroy();
  }
}

/** For tests: forget cached ECR tokens. */
export function clearEcrTokenCache(): void {
  tokens.clear();
}
