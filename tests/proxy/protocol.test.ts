import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { createApp } from "@/lib/apps/create-app";
import { encryptSecret } from "@/lib/secrets/crypto";
import { ociErrorStatus, type OciErrorCode } from "@/proxy/errors";
import { REFUSAL_REASONS, startPullFixture, UNKNOWN_LICENSE, type PullFixture } from "../helpers/pull-fixture";
import { metricValue } from "../helpers/cache-fixture";

// Protocol details every client depends on, checked over plain HTTP against
// the proxy process with Distribution behind it: error status and code per
// the distribution spec, messages that name what is missing, login refusals
// with the reason, the OAuth2 token form, and the tag cache's key.

let f: PullFixture;
let otherTeamAppSlug: string;

function basic(licenseId: string, user = "LICENSE_ID"): string {
  return `Basic ${Buffer.from(`${user}:${licenseId}`).toString("base64")}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- error and token bodies are checked field by field
type Answer = { status: number; headers: Headers; text: string; json: () => any };

async function call(pathname: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const res = await fetch(`${f.proxy.url}${pathname}`, { method: init.method ?? "GET", headers: init.headers, body: init.body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

const auth = () => ({ authorization: basic(f.licenses.active) });
const repoPath = () => `/v2/${f.repository}`;

/** An OCI error answer whose status is the one its code stands for. */
function expectOciError(res: Answer, code: OciErrorCode, status: number = ociErrorStatus[code]) {
  expect(res.status, res.text).toBe(status);
  const error = res.json().errors[0];
  expect(error.code).toBe(code);
  return error as { code: string; message: string; detail: unknown };
}

beforeAll(async () => {
  f = await startPullFixture("protocol");
  // A second vendor with an app and a registry alias: nothing of theirs may show in team one's errors.
  const suffix = randomBytes(3).toString("hex");
  const { user, team } = await createVendor({ email: `other-team-${suffix}@example.com`, password: "correct horse battery", teamName: "Other team" });
  const app = await createApp({ teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: user.email }, { name: "Theirs", slug: `theirs-${suffix}` });
  otherTeamAppSlug = app.slug;
  const sealed = encryptSecret("x");
  await prisma.registryCredential.create({
    data: { teamId: team.id, provider: "other", endpoint: f.registry.host, name: "their-reg", username: "vendor", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: true, allApps: true },
  });
}, 180_000);

afterAll(async () => {
  await f?.stop();
});

describe("errors per the distribution spec", () => {
  it("a manifest that is not there is 404 MANIFEST_UNKNOWN whatever the reference's syntax, naming it", async () => {
    const cases: Array<[string, string]> = [
      ["nope", `manifest for ${f.repository}:nope not found`],
      [".INVALID_MANIFEST_NAME", `manifest for ${f.repository}:.INVALID_MANIFEST_NAME not found`],
      ["sha256:abc", `manifest for ${f.repository}@sha256:abc not found`],
      [`sha256:${"0".repeat(64)}`, `manifest for ${f.repository}@sha256:${"0".repeat(64)} not found`],
      [`md5:${"0".repeat(32)}`, `manifest for ${f.repository}@md5:${"0".repeat(32)} not found`],
    ];
    for (const [reference, message] of cases) {
      const res = await call(`${repoPath()}/manifests/${reference}`, { headers: auth() });
      expect(expectOciError(res, "MANIFEST_UNKNOWN", 404).message, reference).toBe(message);
      const head = await call(`${repoPath()}/manifests/${reference}`, { method: "HEAD", headers: auth() });
      expect(head.status, `HEAD ${reference}`).toBe(404);
    }
    const tagged = (await call(`${repoPath()}/manifests/nope`, { headers: auth() })).json().errors[0];
    expect(tagged.detail).toEqual({ Name: f.repository, Tag: "nope" });
  });

  it("checks the license before answering about a malformed reference", async () => {
    const res = await call(`${repoPath()}/manifests/.INVALID_MANIFEST_NAME`);
    expectOciError(res, "UNAUTHORIZED");
    const denied = await call(`${repoPath()}/manifests/.INVALID_MANIFEST_NAME`, { headers: { authorization: basic(f.licenses.otherApp) } });
    expectOciError(denied, "DENIED");
  });

  it("a blob that is not there is 404 BLOB_UNKNOWN naming it; only the referrers API answers 400 for a bad digest", async () => {
    const missing = `sha256:${"1".repeat(64)}`;
    for (const digest of [missing, "sha256:1234", "notadigest"]) {
      const res = await call(`${repoPath()}/blobs/${digest}`, { headers: auth() });
      expect(expectOciError(res, "BLOB_UNKNOWN", 404).message).toBe(`blob ${digest} not found in ${f.repository}`);
    }
    expectOciError(await call(`${repoPath()}/referrers/sha256:1234`, { headers: auth() }), "DIGEST_INVALID", 400);
  });

  it("NAME_UNKNOWN says which part is unknown: the app slug or the registry segment", async () => {
    const app = await call(`/v2/proxy/nope-${f.appSlug}/vendor-reg/acme/api/manifests/1.0`, { headers: auth() });
    expect(expectOciError(app, "NAME_UNKNOWN", 404).message).toBe(`repository name not known to registry: unknown app "nope-${f.appSlug}"`);

    const alias = await call(`/v2/proxy/${f.appSlug}/vendr-reg/acme/api/manifests/1.0`, { headers: auth() });
    expect(expectOciError(alias, "NAME_UNKNOWN", 404).message).toBe(
      `repository name not known to registry: no registry "vendr-reg" is linked for app "${f.appSlug}" (and Docker Hub is not linked either)`,
    );
    const host = await call(`/v2/proxy/${f.appSlug}/ghcr.io/acme/api/manifests/1.0`, { headers: auth() });
    expect(expectOciError(host, "NAME_UNKNOWN", 404).message).toBe(`repository name not known to registry: no registry "ghcr.io" is linked for app "${f.appSlug}"`);

    const repository = await call(`/v2/proxy/${f.appSlug}/vendor-reg/acme/nothing/tags/list`, { headers: auth() });
    expect(expectOciError(repository, "NAME_UNKNOWN", 404).message).toContain(`proxy/${f.appSlug}/vendor-reg/acme/nothing does not exist`);
  });

  it("another team's app or registry alias reads exactly like one that does not exist", async () => {
    const theirApp = await call(`/v2/proxy/${otherTeamAppSlug}/vendor-reg/acme/api/manifests/1.0`, { headers: auth() });
    const noApp = await call(`/v2/proxy/${otherTeamAppSlug}x/vendor-reg/acme/api/manifests/1.0`, { headers: auth() });
    expect(theirApp.status).toBe(noApp.status);
    expect(theirApp.json().errors[0].message).toBe(noApp.json().errors[0].message.replace(`${otherTeamAppSlug}x`, otherTeamAppSlug));

    const theirAlias = await call(`/v2/proxy/${f.appSlug}/their-reg/acme/api/manifests/1.0`, { headers: auth() });
    const noAlias = await call(`/v2/proxy/${f.appSlug}/thoir-reg/acme/api/manifests/1.0`, { headers: auth() });
    expect(theirAlias.status).toBe(noAlias.status);
    expect(theirAlias.json().errors[0].message).toBe(noAlias.json().errors[0].message.replace("thoir-reg", "their-reg"));
  });
});

describe("login with a license that may not pull", () => {
  it.each(Object.entries(REFUSAL_REASONS).filter(([state]) => state !== "otherApp"))("GET /v2/ and /v2/token refuse a %s license with the reason", async (state, reason) => {
    const licenseId = f.licenses[state as keyof typeof f.licenses];
    const base = await call("/v2/", { headers: { authorization: basic(licenseId) } });
    expect(expectOciError(base, "UNAUTHORIZED").message).toContain(reason);
    expect(base.headers.get("www-authenticate")).toContain("Bearer realm=");

    const token = await call(`/v2/token?service=${f.proxy.host}&scope=repository:${f.repository}:pull`, { headers: { authorization: basic(licenseId) } });
    expect(expectOciError(token, "UNAUTHORIZED").message).toContain(reason);
  });

  it("a license for another app still logs in (its pulls say why they are refused)", async () => {
    expect((await call("/v2/", { headers: { authorization: basic(f.licenses.otherApp) } })).status).toBe(200);
    const res = await call(`${repoPath()}/manifests/1.0`, { headers: { authorization: basic(f.licenses.otherApp) } });
    expect(expectOciError(res, "DENIED").message).toContain(REFUSAL_REASONS.otherApp);
  });

  it("an active license logs in; an unknown one is told its license ID is invalid", async () => {
    expect((await call("/v2/", { headers: auth() })).status).toBe(200);
    expect(expectOciError(await call("/v2/", { headers: { authorization: basic(UNKNOWN_LICENSE) } }), "UNAUTHORIZED").message).toBe("invalid license ID or token");
  });

  it("a refused license is not a failed guess: it never trips the failure throttle", async () => {
    for (let i = 0; i < 30; i++) {
      const res = await call("/v2/token", { headers: { authorization: basic(f.licenses.expired) } });
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    expect((await call("/v2/", { headers: auth() })).status).toBe(200);
  });
});

describe("POST /v2/token (OAuth2 password grant)", () => {
  const form = (fields: Record<string, string | string[]>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) params.append(k, value);
    return params.toString();
  };
  const post = (body: string, contentType = "application/x-www-form-urlencoded") => call("/v2/token", { method: "POST", headers: { "content-type": contentType }, body });
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());

  it("issues the same token as GET, with the OAuth2 fields", async () => {
    const scope = `repository:${f.repository}:pull`;
    const res = await post(form({ grant_type: "password", username: "someone@example.com", password: f.licenses.active, service: f.proxy.host, scope, client_id: "containerd-client", access_type: "offline" }));
    expect(res.status, res.text).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ token_type: "Bearer", scope, expires_in: expect.any(Number), issued_at: expect.any(String) });
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBeGreaterThanOrEqual(60);
    expect(body).not.toHaveProperty("refresh_token");

    const viaGet = (await call(`/v2/token?service=${f.proxy.host}&scope=${scope}`, { headers: auth() })).json();
    const { iat: _a, nbf: _b, exp: _c, ...postClaims } = claimsOf(body.access_token);
    const { iat: _d, nbf: _e, exp: _f, ...getClaims } = claimsOf(viaGet.token);
    expect(postClaims).toEqual(getClaims);

    const manifest = await call(`${repoPath()}/manifests/1.0`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("docker-content-digest")).toBe(f.single.manifest.digest);
  });

  it("grants space-separated scopes in one field, only what the license allows", async () => {
    const mine = `repository:${f.repository}:pull`;
    const notMine = `repository:proxy/${f.otherAppSlug}/vendor-reg/acme/api:pull`;
    const res = await post(form({ grant_type: "password", username: "x", password: f.licenses.active, scope: `${mine} ${notMine}` }));
    expect(res.status).toBe(200);
    expect(res.json().scope).toBe(mine);
  });

  it("refuses bad credentials and refused licenses with the reason, in both error shapes", async () => {
    const wrong = await post(form({ grant_type: "password", username: "x", password: UNKNOWN_LICENSE, scope: `repository:${f.repository}:pull` }));
    expect(expectOciError(wrong, "UNAUTHORIZED").message).toBe("invalid license ID");
    expect(wrong.json()).toMatchObject({ error: "invalid_grant", error_description: "invalid license ID" });

    const expired = await post(form({ grant_type: "password", username: "x", password: f.licenses.expired }));
    expect(expectOciError(expired, "UNAUTHORIZED").message).toBe(REFUSAL_REASONS.expired);
  });

  it("refuses the refresh_token grant and unknown grants properly", async () => {
    const refresh = await post(form({ grant_type: "refresh_token", refresh_token: "abc", service: f.proxy.host, client_id: "docker" }));
    expect(expectOciError(refresh, "UNSUPPORTED", 400).message).toContain("refresh tokens are not issued");
    expect(refresh.json().error).toBe("unsupported_grant_type");
    const other = await post(form({ grant_type: "client_credentials" }));
    expect(other.status).toBe(400);
    expect(other.json().error).toBe("unsupported_grant_type");
    const missing = await post(form({ grant_type: "password", username: "x" }));
    expect(missing.status).toBe(400);
    expect(missing.json().error).toBe("invalid_request");
  });

  it("refuses other body types and oversized forms before reading them", async () => {
    const json = await post(JSON.stringify({ grant_type: "password" }), "application/json");
    expect(json.status).toBe(400);
    expect(json.json().error).toBe("invalid_request");
    const big = await post(form({ grant_type: "password", username: "x", password: f.licenses.active, scope: "a".repeat(20_000) }));
    expect(big.status).toBe(413);
  });

  it("still answers 405 to every other write method, listing POST only for the token endpoint", async () => {
    const put = await call("/v2/token", { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST");
    const push = await call(`${repoPath()}/manifests/1.0`, { method: "POST", headers: auth() });
    expect(push.status).toBe(405);
    expect(push.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("the tag cache keys on the set of manifest types accepted", () => {
  const types = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
  ];

  it("serves a tag cached under one Accept order to every other order, with no upstream request", async () => {
    const first = await call(`${repoPath()}/manifests/1.0`, { headers: { ...auth(), accept: types.join(", ") } });
    expect(first.status).toBe(200);
    const before = metricValue(await f.proxy.metrics(), "pullgate_proxy_cache_requests_total", { kind: "tag", result: "miss" });
    // With the registry down, only the cache can answer.
    await f.registry.kill();
    try {
      for (const order of [[...types].reverse(), [types[2], types[0], types[4], types[3], types[1]], [...types.slice(1), types[0]]]) {
        const res = await call(`${repoPath()}/manifests/1.0`, { headers: { ...auth(), accept: order.join(",") } });
        expect(res.status, order.join(",")).toBe(200);
        expect(res.headers.get("docker-content-digest")).toBe(f.single.manifest.digest);
      }
      expect(metricValue(await f.proxy.metrics(), "pullgate_proxy_cache_requests_total", { kind: "tag", result: "miss" })).toBe(before);
    } finally {
      await f.registry.restart();
    }
  });
});
