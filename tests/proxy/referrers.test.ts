import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createCustomer } from "@/lib/customers/create-customer";
import { encryptSecret } from "@/lib/secrets/crypto";
import { OCI_INDEX, OCI_MANIFEST, type Descriptor } from "../helpers/oci-image";
import { pushArtifact, pushManifest } from "../helpers/oci-push";
import { startUpstreamStandIn, type UpstreamStandIn } from "../helpers/upstream-stand-in";
import { startPullFixture, type PullFixture } from "../helpers/pull-fixture";

// OCI 1.1 referrers through the proxy. Distribution 2.8 (the upstream here)
// has no referrers API, so signatures and SBOMs live under the referrers tag
// schema: an image index tagged sha256-<hex of the subject>. The proxy turns
// that into the referrers API answer. A stand-in in front of Distribution
// plays a registry that does have the API.

const SBOM = "application/vnd.example.sbom+json";
const SIGNATURE = "application/vnd.example.signature.v1+json";

let f: PullFixture;
let standIn: UpstreamStandIn;
let sbom: Descriptor & { artifactType: string };
let signature: Descriptor & { artifactType: string };
let patternedLicense: string;

function basic(licenseId: string): string {
  return `Basic ${Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64")}`;
}

async function referrers(subject: string, options: { query?: string; licenseId?: string; alias?: string; image?: string } = {}) {
  const repo = `proxy/${f.appSlug}/${options.alias ?? "vendor-reg"}/${options.image ?? "acme/api"}`;
  const res = await fetch(`${f.proxy.url}/v2/${repo}/referrers/${subject}${options.query ?? ""}`, {
    headers: { authorization: basic(options.licenseId ?? f.licenses.active) },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

const referrersTag = (digest: string) => digest.replace(":", "-");

beforeAll(async () => {
  f = await startPullFixture("referrers");
  const subject = f.single.manifest;
  sbom = await pushArtifact(f.registry, "acme/api", { subject, artifactType: SBOM, content: '{"spdxVersion":"SPDX-2.3"}', annotations: { "org.opencontainers.image.created": "2026-11-30T00:00:00Z" } });
  signature = await pushArtifact(f.registry, "acme/api", { subject, artifactType: SIGNATURE, content: "signature bytes" });
  // What an OCI 1.1 client writes on a registry without the referrers API.
  const fallbackIndex = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { ...sbom, annotations: { "org.opencontainers.image.created": "2026-11-30T00:00:00Z" } },
      signature,
    ],
  });
  await pushManifest(f.registry, "acme/api", referrersTag(subject.digest), fallbackIndex, OCI_INDEX);

  standIn = await startUpstreamStandIn(f.registry.url);
  const sealed = encryptSecret(Object.values(f.registry.users)[0]!);
  await prisma.registryCredential.create({
    data: { teamId: f.actor.teamId, provider: "other", endpoint: standIn.host, name: "api-reg", username: "vendor", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: true, allApps: true },
  });
  const app = await prisma.app.findUniqueOrThrow({ where: { slug: f.appSlug } });
  patternedLicense = (await createCustomer(f.actor, { appId: app.id, name: "patterned", imagePatterns: ["vendor-reg/acme/other"] })).license.licenseId;
}, 180_000);

afterAll(async () => {
  await standIn?.close();
  await f?.stop();
});

describe("referrers from the tag-schema fallback", () => {
  it("lists the artifacts pushed under sha256-<hex> as an OCI image index", async () => {
    const res = await referrers(f.single.manifest.digest);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type")).toBe(OCI_INDEX);
    expect(res.headers.get("oci-filters-applied")).toBeNull();
    const index = res.json();
    expect(index).toMatchObject({ schemaVersion: 2, mediaType: OCI_INDEX });
    expect(index.manifests).toEqual([
      { mediaType: OCI_MANIFEST, digest: sbom.digest, size: sbom.size, artifactType: SBOM, annotations: { "org.opencontainers.image.created": "2026-11-30T00:00:00Z" } },
      { mediaType: OCI_MANIFEST, digest: signature.digest, size: signature.size, artifactType: SIGNATURE },
    ]);
    // What a client fetches next: the artifact itself, by digest.
    const artifact = await fetch(`${f.proxy.url}/v2/${f.repository}/manifests/${sbom.digest}`, { headers: { authorization: basic(f.licenses.active), accept: OCI_MANIFEST } });
    expect(artifact.status).toBe(200);
    expect((await artifact.json()).subject.digest).toBe(f.single.manifest.digest);
  });

  it("filters by artifactType and says so with OCI-Filters-Applied", async () => {
    const res = await referrers(f.single.manifest.digest, { query: `?artifactType=${encodeURIComponent(SIGNATURE)}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("oci-filters-applied")).toBe("artifactType");
    expect(res.json().manifests.map((d: Descriptor) => d.digest)).toEqual([signature.digest]);
    const none = await referrers(f.single.manifest.digest, { query: "?artifactType=application/vnd.example.none" });
    expect(none.json().manifests).toEqual([]);
    expect((await referrers(f.single.manifest.digest, { query: "?artifactType=not-a-media-type" })).status).toBe(400);
  });

  it("answers 200 with an empty index for a subject without referrers", async () => {
    const res = await referrers(f.multi.index.digest);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
  });

  it("asks the upstream before saying there are none: the referrers API, then the fallback tag", async () => {
    // Through the stand-in, which records what reached the upstream: an empty answer made up
    // without asking would read the same to the client.
    const digest = f.multi.index.digest;
    standIn.requests.length = 0;
    const res = await referrers(digest, { alias: "api-reg" });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    expect(standIn.requests).toContain(`GET /v2/acme/api/referrers/${digest}`);
    expect(standIn.requests).toContain(`GET /v2/acme/api/manifests/${referrersTag(digest)}`);
    // And the subject that has referrers gets them through the same path.
    standIn.requests.length = 0;
    const listed = await referrers(f.single.manifest.digest, { alias: "api-reg" });
    expect(listed.json().manifests.map((d: Descriptor) => d.digest)).toEqual([sbom.digest, signature.digest]);
    expect(standIn.requests).toContain(`GET /v2/acme/api/manifests/${referrersTag(f.single.manifest.digest)}`);
  });

  it("applies the subject image's license check", async () => {
    const digest = f.single.manifest.digest;
    expect((await referrers(digest, { licenseId: f.licenses.otherApp })).status).toBe(403);
    expect((await referrers(digest, { licenseId: f.licenses.disabled })).json().errors[0].message).toContain("registry access is turned off");
    const patterned = await referrers(digest, { licenseId: patternedLicense });
    expect(patterned.status).toBe(403);
    expect(patterned.json().errors[0].message).toBe("image not included in this license");
    const anonymous = await fetch(`${f.proxy.url}/v2/${f.repository}/referrers/${digest}`);
    expect(anonymous.status).toBe(401);
  });

  it("refuses a fallback tag that is not an image index with 502", async () => {
    standIn.respond = (_method, path) => {
      if (path.includes("/referrers/")) return { status: 404, body: "404 page not found\n", headers: { "content-type": "text/plain" } };
      if (path.includes(`/manifests/${referrersTag(f.single.manifest.digest)}`)) return { status: 200, body: '{"schemaVersion":2,"layers":[]}' };
      return null;
    };
    try {
      const res = await referrers(f.single.manifest.digest, { alias: "api-reg" });
      expect(res.status).toBe(502);
      // The customer is told only that the answer was invalid; the detail (host, "not an image index") is the vendor's.
      expect(res.json().errors[0].message).toBe("upstream returned an invalid response");
    } finally {
      standIn.respond = null;
    }
  });
});

describe("referrers from an upstream with the referrers API", () => {
  const upstreamIndex = () =>
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...sbom }, { ...signature }] });

  it("passes the upstream's answer through, without reading the fallback tag", async () => {
    standIn.requests.length = 0;
    standIn.respond = (_method, path) => (path.includes("/referrers/") ? { status: 200, body: upstreamIndex(), headers: { "content-type": OCI_INDEX } } : null);
    try {
      const res = await referrers(f.single.manifest.digest, { alias: "api-reg" });
      expect(res.status).toBe(200);
      expect(res.text).toBe(upstreamIndex());
      expect(res.json().manifests.map((d: Descriptor & { artifactType?: string }) => [d.digest, d.artifactType])).toEqual([
        [sbom.digest, SBOM],
        [signature.digest, SIGNATURE],
      ]);
      expect(standIn.requests).toContain(`GET /v2/acme/api/referrers/${f.single.manifest.digest}`);
      expect(standIn.requests.some((r) => r.includes("/manifests/sha256-"))).toBe(false);
    } finally {
      standIn.respond = null;
    }
  });

  it("filters for an upstream that ignored artifactType, and keeps an upstream's own filtering", async () => {
    const asked: string[] = [];
    standIn.respond = (_method, path) => {
      if (!path.includes("/referrers/")) return null;
      asked.push(path);
      return { status: 200, body: upstreamIndex(), headers: { "content-type": OCI_INDEX } };
    };
    try {
      const res = await referrers(f.single.manifest.digest, { alias: "api-reg", query: `?artifactType=${encodeURIComponent(SBOM)}` });
      expect(asked.at(-1)).toContain(`artifactType=${encodeURIComponent(SBOM)}`);
      expect(res.headers.get("oci-filters-applied")).toBe("artifactType");
      expect(res.json().manifests.map((d: Descriptor) => d.digest)).toEqual([sbom.digest]);

      const filteredUpstream = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...sbom }] });
      standIn.respond = (_method, path) =>
        path.includes("/referrers/") ? { status: 200, body: filteredUpstream, headers: { "content-type": OCI_INDEX, "oci-filters-applied": "artifactType" } } : null;
      const passed = await referrers(f.single.manifest.digest, { alias: "api-reg", query: `?artifactType=${encodeURIComponent(SBOM)}` });
      expect(passed.text).toBe(filteredUpstream);
      expect(passed.headers.get("oci-filters-applied")).toBe("artifactType");
    } finally {
      standIn.respond = null;
    }
  });

  it("maps an upstream failure on the referrers API to 502/503, never to an empty list", async () => {
    standIn.respond = (_method, path) => (path.includes("/referrers/") ? { status: 500, body: "boom" } : null);
    try {
      expect((await referrers(f.single.manifest.digest, { alias: "api-reg" })).status).toBe(502);
    } finally {
      standIn.respond = null;
    }
    // Through the stand-in with nothing overridden: Distribution's 404 → the fallback, as directly.
    const res = await referrers(f.single.manifest.digest, { alias: "api-reg" });
    expect(res.json().manifests).toHaveLength(2);
  });
});
