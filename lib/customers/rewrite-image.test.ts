import { describe, expect, it } from "vitest";
import { rewriteImage } from "@/lib/customers/rewrite-image";
import { parseImageReference } from "@/lib/images/reference";

const opts = { host: "proxy.example.com", appSlug: "acme" };
const digest = `sha256:${"a".repeat(64)}`;

describe("rewriteImage", () => {
  it.each([
    ["ghcr.io/acme/api:1.2.0", "proxy.example.com/proxy/acme/ghcr.io/acme/api:1.2.0"],
    ["nginx", "proxy.example.com/proxy/acme/docker.io/library/nginx"],
    ["nginx:1.27", "proxy.example.com/proxy/acme/docker.io/library/nginx:1.27"],
    ["bitnami/redis:7", "proxy.example.com/proxy/acme/docker.io/bitnami/redis:7"],
    ["docker.io/nginx", "proxy.example.com/proxy/acme/docker.io/library/nginx"],
    ["index.docker.io/library/nginx:latest", "proxy.example.com/proxy/acme/docker.io/library/nginx:latest"],
    ["registry-1.docker.io/bitnami/redis", "proxy.example.com/proxy/acme/docker.io/bitnami/redis"],
    [`ghcr.io/acme/api@${digest}`, `proxy.example.com/proxy/acme/ghcr.io/acme/api@${digest}`],
    [`ghcr.io/acme/api:1.0@${digest}`, `proxy.example.com/proxy/acme/ghcr.io/acme/api:1.0@${digest}`],
    [`nginx@${digest}`, `proxy.example.com/proxy/acme/docker.io/library/nginx@${digest}`],
    ["127.0.0.1:5000/acme/api:v1", "proxy.example.com/proxy/acme/127.0.0.1:5000/acme/api:v1"],
    ["localhost/acme/api", "proxy.example.com/proxy/acme/localhost/acme/api"],
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:2", "proxy.example.com/proxy/acme/123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:2"],
    ["  quay.io/org/img  ", "proxy.example.com/proxy/acme/quay.io/org/img"],
  ])("%s", (input, expected) => {
    expect(rewriteImage(input, opts)).toBe(expected);
  });

  it.each(["", "Nginx", "ghcr.io/acme/api:bad tag", "ghcr.io/acme/api@sha256:xyz", "ghcr.io//api", "acme/api:"])("rejects %j", (input) => {
    expect(() => parseImageReference(input)).toThrow();
  });
});
