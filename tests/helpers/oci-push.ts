import { sha256, type Descriptor } from "./oci-image";
import type { TestRegistry } from "./registry";

/**
 * Pushes raw blobs and manifests to a test registry over its HTTP API, for
 * content skopeo will not copy as it is: artifacts with a `subject`, and the
 * referrers tag-schema index (`sha256-<hex>`) that OCI 1.1 clients maintain on
 * registries without the referrers API.
 *
 *   const config = await pushBlob(registry, "acme/api", "{}", "application/vnd.oci.empty.v1+json");
 *   const sbom = await pushArtifact(registry, "acme/api", { subject, artifactType: "application/spdx+json", content: "…" });
 *   await pushManifest(registry, "acme/api", referrersTag, indexJson, OCI_INDEX);
 */

export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";

function authHeader(registry: TestRegistry): Record<string, string> {
  const [user, password] = Object.entries(registry.users)[0] ?? [];
  return registry.auth === "htpasswd" && user ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` } : {};
}

export async function pushBlob(registry: TestRegistry, repository: string, content: string | Buffer, mediaType: string): Promise<Descriptor> {
  const data = typeof content === "string" ? Buffer.from(content) : content;
  const digest = sha256(data);
  const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: "POST", headers: authHeader(registry) });
  if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get("location")!, registry.url);
  location.searchParams.set("digest", digest);
  const put = await fetch(location, { method: "PUT", headers: { ...authHeader(registry), "content-type": "application/octet-stream" }, body: new Uint8Array(data) });
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status} ${await put.text()}`);
  return { mediaType, digest, size: data.length };
}

export async function pushManifest(registry: TestRegistry, repository: string, reference: string | null, json: string, mediaType: string): Promise<Descriptor> {
  const digest = sha256(json);
  const res = await fetch(`${registry.url}/v2/${repository}/manifests/${reference ?? digest}`, {
    method: "PUT",
    headers: { ...authHeader(registry), "content-type": mediaType },
    body: json,
  });
  if (res.status !== 201) throw new Error(`manifest push: HTTP ${res.status} ${await res.text()}`);
  return { mediaType, digest, size: Buffer.byteLength(json) };
}

/** An OCI 1.1 artifact manifest (empty config, one layer) whose subject is `subject`, pushed by digest. */
export async function pushArtifact(
  registry: TestRegistry,
  repository: string,
  options: { subject: Descriptor; artifactType: string; content: string; annotations?: Record<string, string> },
): Promise<Descriptor & { artifactType: string }> {
  const config = await pushBlob(registry, repository, "{}", OCI_EMPTY);
  const layer = await pushBlob(registry, repository, options.content, "application/octet-stream");
  const { platform: _platform, annotations: _annotations, ...subject } = options.subject;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    artifactType: options.artifactType,
    config,
    layers: [layer],
    subject,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  const pushed = await pushManifest(registry, repository, null, manifest, "application/vnd.oci.image.manifest.v1+json");
  return { ...pushed, artifactType: options.artifactType };
}
