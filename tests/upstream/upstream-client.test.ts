import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearUpstreamTokenCache, createUpstreamClient, upstreamTokenRequests } from "@/lib/upstream/client";
import { clearEcrTokenCache, getEcrBasicCredentials } from "@/lib/upstream/ecr";
import { blobConnectionCounts, closeIdleBlobConnections } from "@/lib/upstream/socket-get";
import { UpstreamError } from "@/lib/upstream/errors";
import { writeOciImage } from "@/tests/helpers/oci-image";
import type { WrittenImage } from "@/tests/helpers/oci-image";
import { freePort, startRegistry } from "@/tests/helpers/registry";
import type { TestRegistry } from "@/tests/helpers/registry";

// The upstream client against a real Distribution registry (htpasswd, token
// auth, TLS), a stand-in ECR API and a redirecting registry. Every failure
// message is checked for the secret.

const PASSWORD = "upstream-Pa55word-7f3c";

// Every upstream here is on loopback: allowed explicitly, as an operator with an internal registry would.
process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.0/8";
let layout: string;
let image: WrittenImage;

async function expectUpstreamError(promise: Promise<unknown>, kind: string, secret = PASSWORD): Promise<UpstreamError> {
  const err = await promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  expect((err as UpstreamError).kind).toBe(kind);
  expect(String((err as Error).message)).not.toContain(secret);
  expect(JSON.stringify(err)).not.toContain(secret);
  return err as UpstreamError;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

beforeAll(async () => {
  layout = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-oci-"));
  image = await writeOciImage(layout, { tag: "1.0" });
});

afterAll(async () => {
  await fs.promises.rm(layout, { recursive: true, force: true });
});

describe("htpasswd (Basic) registry", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: "htpasswd", users: { vendor: PASSWORD } });
    await registry.push(layout, "1.0", "acme/api:1.0");
  });
  afterAll(() => registry.stop());

  it("accepts the right credentials and finds the image by tag and digest", async () => {
    const client = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: PASSWORD, allowHttp: true });
    await client.pingV2();
    const byTag = await client.headManifest("acme/api", "1.0");
    expect(byTag.digest).toBe(image.manifest.digest);
    expect(byTag.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    const byDigest = await client.headManifest("acme/api", image.manifest.digest);
    expect(byDigest.size).toBe(image.manifest.size);
  });

  it("streams a blob body", async () => {
    const client = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: PASSWORD, allowHttp: true });
    const res = await client.request("GET", `/v2/acme/api/blobs/${image.config.digest}`);
    expect(res.statusCode).toBe(200);
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(body.length).toBe(image.config.size);
  });

  it("classifies a wrong password and a missing image", async () => {
    const wrong = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: "wrong-password-9", allowHttp: true });
    await expectUpstreamError(wrong.pingV2(), "unauthorized", "wrong-password-9");
    const client = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: PASSWORD, allowHttp: true });
    await expectUpstreamError(client.headManifest("acme/api", "2.0"), "not_found");
    await expectUpstreamError(client.headManifest("acme/absent", "1.0"), "not_found");
  });
});

describe("token (Bearer) registry", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({
      auth: "token",
      // The first user pushes; "vendor" (the credential under test) may not see acme/secret.
      users: { admin: "admin-password", vendor: PASSWORD },
      canAccess: (user, repository) => user === "admin" || repository !== "acme/secret",
    });
    await registry.push(layout, "1.0", "acme/api:1.0");
    await registry.push(layout, "1.0", "acme/secret:1.0");
    clearUpstreamTokenCache();
  });
  afterAll(() => registry.stop());

  it("follows the Bearer flow and reuses cached tokens per (registry, scope)", async () => {
    const requests = registry.tokenServer!.requests;
    const before = requests.length;
    const counterBefore = upstreamTokenRequests();
    const client = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: PASSWORD, allowHttp: true });
    await client.pingV2();
    expect((await client.headManifest("acme/api", "1.0")).digest).toBe(image.manifest.digest);
    await client.headManifest("acme/api", "1.0");
    const res = await client.request("GET", `/v2/acme/api/blobs/${image.config.digest}`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    // One token without scope (for /v2/), one for repository:acme/api:pull.
    expect(requests.length - before).toBe(2);
    expect(requests.slice(before).map((r) => r.scopes)).toEqual([[], ["repository:acme/api:pull"]]);
    expect(requests.slice(before).every((r) => r.username === "vendor")).toBe(true);

    // A second client with the same credentials (next connection test, another proxy request) asks for none.
    const again = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: PASSWORD, allowHttp: true });
    await again.pingV2();
    await again.headManifest("acme/api", "1.0");
    expect(requests.length - before).toBe(2);
    expect(upstreamTokenRequests() - counterBefore).toBe(2);
  });

  it("reports wrong credentials and missing pull access", async () => {
    const wrong = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: "nope-123456", allowHttp: true });
    await expectUpstreamError(wrong.pingV2(), "unauthorized", "nope-123456");
    const client = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: PASSWORD, allowHttp: true });
    await expectUpstreamError(client.headManifest("acme/secret", "1.0"), "forbidden");
  });

  it("fetches a new token when the cached one expired", async () => {
    const short = await startRegistry({ auth: "token", users: { vendor: PASSWORD }, tokenExpiresIn: 1 });
    try {
      await short.push(layout, "1.0", "acme/api:1.0");
      const client = createUpstreamClient({ provider: "other", endpoint: short.host, username: "vendor", secret: PASSWORD, allowHttp: true });
      const before = short.tokenServer!.requests.length;
      await client.headManifest("acme/api", "1.0");
      await client.headManifest("acme/api", "1.0");
      expect(short.tokenServer!.requests.length - before).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await client.headManifest("acme/api", "1.0");
      expect(short.tokenServer!.requests.length - before).toBe(2);
    } finally {
      await short.stop();
    }
  });
});

describe("transport failures", () => {
  it("reports a host that is not listening as unreachable", async () => {
    const port = await freePort();
    const client = createUpstreamClient({ provider: "other", endpoint: `127.0.0.1:${port}`, username: "u", secret: PASSWORD, allowHttp: true });
    const err = await expectUpstreamError(client.pingV2(), "unreachable");
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it("refuses a self-signed certificate unless the registry is marked insecure", async () => {
    const registry = await startRegistry({ auth: "htpasswd", users: { vendor: PASSWORD }, tls: true });
    try {
      const strict = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: PASSWORD });
      const err = await expectUpstreamError(strict.pingV2(), "tls");
      expect(err.message).toMatch(/self-signed/);
      const insecure = createUpstreamClient({
        provider: "other",
        endpoint: registry.host,
        username: "vendor",
        secret: PASSWORD,
        allowHttp: true,
      });
      await insecure.pingV2();
    } finally {
      await registry.stop();
    }
  });

  it("answers not_a_registry for a web server without the registry API", async () => {
    const server = http.createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<h1>nope</h1>"));
    const port = await listen(server);
    try {
      const client = createUpstreamClient({ provider: "other", endpoint: `127.0.0.1:${port}`, username: "u", secret: PASSWORD, allowHttp: true });
      await expectUpstreamError(client.pingV2(), "not_a_registry");
    } finally {
      server.close();
    }
  });
});

describe("blob connections", () => {
  it("streams one blob after another from an HTTPS Distribution over one kept-alive TLS connection", async () => {
    const registry = await startRegistry({ auth: "htpasswd", users: { vendor: PASSWORD }, tls: true });
    try {
      await registry.push(layout, "1.0", "acme/kept:1.0");
      const client = createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: PASSWORD, allowHttp: true });
      await client.pingV2(); // learns the scheme and the Basic challenge: every blob GET below is answered at once
      closeIdleBlobConnections();
      const before = blobConnectionCounts();
      const blobs = [image.config, ...image.layers, image.config];
      for (const blob of blobs) {
        const res = await client.requestStream(`/v2/acme/kept/blobs/${blob.digest}`);
        expect(res.statusCode).toBe(200);
        let size = 0;
        await new Promise<void>((resolve, reject) => {
          res.body.on("data", (chunk: Buffer) => (size += chunk.length));
          res.body.once("end", () => resolve());
          res.body.once("error", reject);
        });
        expect(size).toBe(blob.size);
      }
      const after = blobConnectionCounts();
      expect({ new: after.new - before.new, reused: after.reused - before.reused }).toEqual({ new: 1, reused: blobs.length - 1 });
    } finally {
      closeIdleBlobConnections();
      await registry.stop();
    }
  });
});

describe("redirects", () => {
  it("follows a blob redirect to another origin without forwarding Authorization", async () => {
    const seenByStorage: http.IncomingHttpHeaders[] = [];
    const storage = http.createServer((req, res) => {
      seenByStorage.push(req.headers);
      res.writeHead(req.headers.range ? 206 : 200, { "content-type": "application/octet-stream" }).end("blob-bytes");
    });
    const storagePort = await listen(storage);
    const expected = `Basic ${Buffer.from(`vendor:${PASSWORD}`).toString("base64")}`;
    const registry = http.createServer((req, res) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="r"' }).end();
        return;
      }
      if (req.url === "/v2/") {
        res.writeHead(200, { "docker-distribution-api-version": "registry/2.0" }).end("{}");
        return;
      }
      res.writeHead(307, { location: `http://127.0.0.1:${storagePort}/bucket/blob?X-Amz-Signature=abc` }).end();
    });
    const registryPort = await listen(registry);
    try {
      const client = createUpstreamClient({
        provider: "other",
        endpoint: `127.0.0.1:${registryPort}`,
        username: "vendor",
        secret: PASSWORD,
        allowHttp: true,
      });
      const res = await client.request("GET", `/v2/acme/api/blobs/sha256:${"0".repeat(64)}`, { headers: { range: "bytes=0-3" } });
      expect(res.statusCode).toBe(206);
      expect(await res.body.text()).toBe("blob-bytes");
      expect(res.url).toBe(`http://127.0.0.1:${storagePort}/bucket/blob?X-Amz-Signature=abc`);
      expect(seenByStorage).toHaveLength(1);
      expect(seenByStorage[0]!.authorization).toBeUndefined();
      expect(seenByStorage[0]!.range).toBe("bytes=0-3");
    } finally {
      storage.close();
      registry.close();
    }
  });
});

describe("ECR through the AWS SDK", () => {
  it("requests one authorization token, reuses it and decodes it into Basic credentials", async () => {
    const ecrPassword = "ecr-token-Zm9vYmFy-1234";
    const registry = await startRegistry({ auth: "htpasswd", users: { AWS: ecrPassword } });
    await registry.push(layout, "1.0", "acme/api:1.0");
    const calls: { target: string | undefined; authorization: string | undefined; body: string }[] = [];
    const ecrApi = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        calls.push({ target: req.headers["x-amz-target"] as string | undefined, authorization: req.headers.authorization, body });
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(
          JSON.stringify({
            authorizationData: [
              {
                authorizationToken: Buffer.from(`AWS:${ecrPassword}`).toString("base64"),
                expiresAt: Math.floor(Date.now() / 1000) + 12 * 3600,
                proxyEndpoint: `https://${registry.host}`,
              },
            ],
          }),
        );
      });
    });
    const ecrPort = await listen(ecrApi);
    clearEcrTokenCache();
    const secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    try {
      const credential = { provider: "ecr" as const, endpoint: registry.host, username: "AKIAIOSFODNN7EXAMPLE", secret: secretAccessKey, allowHttp: true };
      const options = { ecrEndpoint: `http://127.0.0.1:${ecrPort}` };
      const first = createUpstreamClient(credential, options);
      await first.pingV2();
      expect((await first.headManifest("acme/api", "1.0")).digest).toBe(image.manifest.digest);
      const second = createUpstreamClient(credential, options);
      await second.pingV2();
      await second.headManifest("acme/api", "1.0");
      expect(calls).toHaveLength(1);
      expect(calls[0]!.target).toBe("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
      // SigV4-signed with the access key ID; the secret itself never travels.
      expect(calls[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\//);
      expect(JSON.stringify(calls)).not.toContain(secretAccessKey);

      // A wrong key is reported as wrong credentials, without the secret.
      clearEcrTokenCache();
      ecrApi.removeAllListeners("request");
      ecrApi.on("request", (_req, res) =>
        res
          .writeHead(400, { "content-type": "application/x-amz-json-1.1" })
          .end(JSON.stringify({ __type: "UnrecognizedClientException", message: "The security token included in the request is invalid." })),
      );
      const bad = createUpstreamClient({ ...credential, secret: "bad-secret-key-000" }, options);
      await expectUpstreamError(bad.pingV2(), "unauthorized", "bad-secret-key-000");
    } finally {
      ecrApi.close();
      await registry.stop();
    }
  });
});

describe("redirect and token-service rules", () => {
  type Recorder = { port: number; requests: string[]; server: http.Server };
  async function recorder(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, r) => r.end("internal")): Promise<Recorder> {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      handler(req, res);
    });
    return { port: await listen(server), requests, server };
  }
  const v2 = (res: http.ServerResponse) => res.writeHead(200, { "docker-distribution-api-version": "registry/2.0" }).end("{}");

  it("refuses a manifest, tags or referrers redirect to another origin, follows one on the same origin", async () => {
    const elsewhere = await recorder();
    const registry = await recorder((req, res) => {
      if (req.url === "/v2/") return v2(res);
      if (req.url === "/v2/acme/api/manifests/moved") return void res.writeHead(302, { location: "/v2/acme/api/manifests/1.0" }).end();
      if (req.url === "/v2/acme/api/manifests/1.0") return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
      res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/latest/meta-data/` }).end();
    });
    try {
      const client = createUpstreamClient({ provider: "other", endpoint: `127.0.0.1:${registry.port}`, username: "", secret: "", allowHttp: true });
      const same = await client.request("GET", "/v2/acme/api/manifests/moved");
      expect(same.statusCode).toBe(200);
      await same.body.dump();
      for (const path of ["/v2/acme/api/manifests/1.1", "/v2/acme/api/tags/list", `/v2/acme/api/referrers/sha256:${"a".repeat(64)}`]) {
        const err = await expectUpstreamError(client.request("GET", path), "bad_response");
        expect(err.message).toMatch(/redirected a non-blob request to another origin/);
      }
      // A blob may go elsewhere (object storage).
      const blob = await client.request("GET", `/v2/acme/api/blobs/sha256:${"b".repeat(64)}`);
      expect(await blob.body.text()).toBe("internal");
      expect(elsewhere.requests).toEqual(["GET /latest/meta-data/"]);
    } finally {
      registry.server.close();
      elsewhere.server.close();
    }
  });

  it("never follows a redirect from HTTPS to plain HTTP", async () => {
    const storage = await recorder();
    const registry = await startRegistry({ auth: "none", tls: true });
    const https = await import("node:https");
    const { selfSignedCertificate } = await import("@/tests/helpers/registry");
    const cert = await selfSignedCertificate(registry.dir, "redirector");
    const redirector = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
      if (req.url === "/v2/") return v2(res);
      res.writeHead(307, { location: `http://127.0.0.1:${storage.port}/bucket/blob` }).end();
    });
    const port = await listen(redirector as unknown as http.Server);
    try {
      const client = createUpstreamClient({ provider: "other", endpoint: `127.0.0.1:${port}`, username: "", secret: "", allowHttp: true });
      const err = await expectUpstreamError(client.request("GET", `/v2/acme/api/blobs/sha256:${"c".repeat(64)}`), "bad_response");
      expect(err.message).toMatch(/from HTTPS to plain HTTP/);
      expect(storage.requests).toEqual([]);
    } finally {
      redirector.close();
      storage.server.close();
      await registry.stop();
    }
  });

  it("does not follow a token service's redirect, and sends nothing to where it points", async () => {
    const elsewhere = await recorder();
    const tokenService = await recorder((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/steal` }).end());
    const registry = await recorder((req, res) => {
      res.writeHead(401, { "www-authenticate": `Bearer realm="http://127.0.0.1:${tokenService.port}/token",service="r"` }).end();
    });
    try {
      const client = createUpstreamClient({ provider: "other", endpoint: `127.0.0.1:${registry.port}`, username: "vendor", secret: PASSWORD, allowHttp: true });
      const err = await expectUpstreamError(client.pingV2(), "bad_response");
      expect(err.message).toMatch(/answered with a redirect/);
      expect(tokenService.requests).toHaveLength(1);
      expect(elsewhere.requests).toEqual([]);
    } finally {
      registry.server.close();
      tokenService.server.close();
      elsewhere.server.close();
    }
  });

  it("refuses loopback registries, token services and ECR endpoints without the allow list", async () => {
    const target = await recorder((req, res) => (req.url === "/v2/" ? v2(res) : res.end("{}")));
    const saved = process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "";
    try {
      const client = createUpstreamClient({ provider: "other", endpoint: `127.0.0.1:${target.port}`, username: "u", secret: PASSWORD, allowHttp: true });
      const err = await expectUpstreamError(client.pingV2(), "refused");
      expect(err.message).toBe("registry address 127.0.0.1 is in a private range; set PULLGATE_UPSTREAM_ALLOW_CIDRS to allow it");
      clearEcrTokenCache();
      const ecr = getEcrBasicCredentials(
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "ecr-secret-key-0001" },
        { ecrEndpoint: `http://127.0.0.1:${target.port}` },
      );
      await expectUpstreamError(ecr, "refused", "ecr-secret-key-0001");
      expect(target.requests).toEqual([]);
    } finally {
      process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = saved;
      target.server.close();
    }
  });
});
