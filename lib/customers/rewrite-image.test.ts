import { describe, expect, it } from "vitest";
import { rewriteImage, type RewriteRegistry } from "@/lib/customers/rewrite-image";
import { parseImageReference } from "@/lib/images/reference";

const registries: RewriteRegistry[] = [
  { provider: "other", endpoint: "127.0.0.1:5000", name: "acme", usable: true },
  { provider: "other", endpoint: "registry.example.com", name: null, usable: true },
  { provider: "ghcr", endpoint: "ghcr.io", name: "gh", usable: true },
  { provider: "dockerhub", endpoint: "index.docker.io", name: null, usable: true },
  { provider: "quay", endpoint: "quay.io", name: null, usable: false },
  { provider: "other", endpoint: "legacy.example.com:8443", name: null, usable: true },
];
const opts = { host: "proxy.example.com", appSlug: "app", registries };
const digest = `sha256:${"a".repeat(64)}`;

describe("rewriteImage", () => {
  it.each([
    // An alias of a linked registry is the registry, not a Docker Hub namespace.
    ["acme/acme/api:1.0", "proxy.example.com/proxy/app/acme/acme/api:1.0"],
    // A host:port is reached through its alias: never a port in the path.
    ["127.0.0.1:5000/acme/api:v1", "proxy.example.com/proxy/app/acme/acme/api:v1"],
    ["registry.example.com/acme/api:1.0", "proxy.example.com/proxy/app/registry.example.com/acme/api:1.0"],
    ["ghcr.io/acme/api:1.2.0", "proxy.example.com/proxy/app/gh/acme/api:1.2.0"],
    ["nginx", "proxy.example.com/proxy/app/docker.io/library/nginx"],
    ["nginx:1.27", "proxy.example.com/proxy/app/docker.io/library/nginx:1.27"],
    ["bitnami/redis:7", "proxy.example.com/proxy/app/docker.io/bitnami/redis:7"],
    ["index.docker.io/library/nginx:latest", "proxy.example.com/proxy/app/docker.io/library/nginx:latest"],
    [`registry.example.com/acme/api@${digest}`, `proxy.example.com/proxy/app/registry.example.com/acme/api@${digest}`],
    [`acme/api:1.0@${digest}`, `proxy.example.com/proxy/app/acme/api:1.0@${digest}`],
    ["  registry.example.com/org/img  ", "proxy.example.com/proxy/app/registry.example.com/org/img"],
  ])("%s", (input, expected) => {
    expect(rewriteImage(input, opts)).toBe(expected);
  });

  it.each([
    ["ghcr.io/other/api:1.0", "ghcr.io/other/api:1.0"],
  ])("keeps aliases for fixed hosts too: %s", (input) => {
    expect(rewriteImage(input, opts)).toBe(`proxy.example.com/proxy/app/gh/other/api:1.0`);
  });

  it.each([
    ["gcr.io/acme/api:1.0", /gcr\.io is not a registry your team linked.*acme \(127\.0\.0\.1:5000\)/],
    ["quay.io/acme/api", /quay\.io is linked for other apps only/],
    ["legacy.example.com:8443/acme/api", /legacy\.example\.com:8443 cannot appear in an image path.*alias/],
  ])("says plainly when %s names a registry the app cannot use", (input, message) => {
    expect(() => rewriteImage(input, opts)).toThrow(message);
  });

  it("refuses Docker Hub images when Docker Hub is not linked", () => {
    expect(() => rewriteImage("nginx", { ...opts, registries: registries.filter((r) => r.provider !== "dockerhub") })).toThrow(/Docker Hub is not linked/);
    expect(() => rewriteImage("nginx", { ...opts, registries: [] })).toThrow(/This app has no linked registry yet/);
  });

  it.each(["", "Nginx", "ghcr.io/acme/api:bad tag", "ghcr.io/acme/api@sha256:xyz", "ghcr.io//api", "acme/api:"])("rejects %j", (input) => {
    expect(() => parseImageReference(input)).toThrow();
    expect(() => rewriteImage(input, opts)).toThrow();
  });
});
