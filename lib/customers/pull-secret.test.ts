import { describe, expect, it } from "vitest";
import { buildPullSecret } from "@/lib/customers/pull-secret";

const licenseId = "AbCdEfGhIjKlMnOpQrStUvWxYz0";

describe("buildPullSecret", () => {
  it("uses the email as username and one auth entry per host", () => {
    const s = buildPullSecret({ licenseId, email: "ops@customer.com", hosts: ["proxy.example.com", "registry.acme.com"] });
    const json = JSON.parse(s.dockerconfigjson);
    const auth = Buffer.from(`ops@customer.com:${licenseId}`).toString("base64");
    expect(json).toEqual({ auths: { "proxy.example.com": { auth }, "registry.acme.com": { auth } } });
    expect(s.dockerLogin).toBe(`docker login proxy.example.com -u ops@customer.com -p ${licenseId}`);
  });

  it("falls back to LICENSE_ID and PROXY_PUBLIC_HOST", () => {
    const prev = process.env.PROXY_PUBLIC_HOST;
    process.env.PROXY_PUBLIC_HOST = "localhost:5050";
    try {
      const s = buildPullSecret({ licenseId, email: null });
      expect(JSON.parse(s.dockerconfigjson).auths["localhost:5050"].auth).toBe(Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64"));
      expect(s.username).toBe("LICENSE_ID");
    } finally {
      if (prev === undefined) delete process.env.PROXY_PUBLIC_HOST;
      else process.env.PROXY_PUBLIC_HOST = prev;
    }
  });

  it("builds a kubernetes.io/dockerconfigjson Secret and helm values", () => {
    const s = buildPullSecret({ licenseId, email: "a@b.co", hosts: ["h.example"], secretName: "Acme Registry" });
    expect(s.secretYaml).toContain("type: kubernetes.io/dockerconfigjson");
    expect(s.secretYaml).toContain("name: acme-registry");
    const b64 = /\.dockerconfigjson: (\S+)/.exec(s.secretYaml)![1]!;
    expect(Buffer.from(b64, "base64").toString()).toBe(s.dockerconfigjson);
    expect(s.helmValues).toBe("imagePullSecrets:\n  - name: acme-registry\n");
  });
});
