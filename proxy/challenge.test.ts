import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { bearerChallenge, InvalidHostError, isValidHost, requestOrigin } from "./challenge";

function fakeRequest(headers: Record<string, string>, encrypted = false): IncomingMessage {
  return { headers, socket: { encrypted } } as unknown as IncomingMessage;
}

const options = { publicHost: "proxy.example.com", trustForwarded: false };

describe("requestOrigin", () => {
  it("takes the host from the Host header and the scheme from the socket", () => {
    expect(requestOrigin(fakeRequest({ host: "localhost:5050" }), options)).toEqual({ scheme: "http", host: "localhost:5050" });
    expect(requestOrigin(fakeRequest({ host: "registry.acme.io" }, true), options)).toEqual({ scheme: "https", host: "registry.acme.io" });
  });

  it("falls back to the public host when there is no Host header", () => {
    expect(requestOrigin(fakeRequest({}), options).host).toBe("proxy.example.com");
  });

  it("ignores X-Forwarded-Proto unless forwarding is trusted", () => {
    const req = fakeRequest({ host: "a.example", "x-forwarded-proto": "https" });
    expect(requestOrigin(req, options).scheme).toBe("http");
    expect(requestOrigin(req, { ...options, trustForwarded: true }).scheme).toBe("https");
    const list = fakeRequest({ host: "a.example", "x-forwarded-proto": "HTTPS, http" });
    expect(requestOrigin(list, { ...options, trustForwarded: true }).scheme).toBe("https");
    const junk = fakeRequest({ host: "a.example", "x-forwarded-proto": "gopher" });
    expect(requestOrigin(junk, { ...options, trustForwarded: true }).scheme).toBe("http");
  });

  it("rejects hosts that could break out of the quoted header value", () => {
    for (const host of ['evil.example",realm="https://attacker', "a b", "a\tb", "a,b", "a;b", "a/b", "a@b", "", "a:99999x", "-a.example"]) {
      expect(() => requestOrigin(fakeRequest({ host }), options), host).toThrow(InvalidHostError);
    }
  });
});

describe("isValidHost", () => {
  it("accepts names, IPv4, bracketed IPv6, with and without ports", () => {
    for (const host of ["localhost", "localhost:5050", "registry.acme.io", "127.0.0.1:5050", "[::1]:5050", "[2001:db8::1]", "xn--bcher-kva.example"]) {
      expect(isValidHost(host), host).toBe(true);
    }
  });
});

describe("bearerChallenge", () => {
  const origin = { scheme: "http" as const, host: "localhost:5050" };

  it("points the realm at the token endpoint on the request's own host", () => {
    expect(bearerChallenge(origin)).toBe('Bearer realm="http://localhost:5050/v2/token",service="localhost:5050"');
  });

  it("adds the pull scope when the repository is known", () => {
    expect(bearerChallenge({ scheme: "https", host: "registry.acme.io" }, "proxy/acme/ghcr.io/acme/api")).toBe(
      'Bearer realm="https://registry.acme.io/v2/token",service="registry.acme.io",scope="repository:proxy/acme/ghcr.io/acme/api:pull"',
    );
  });

  it("refuses a repository name that could inject into the header", () => {
    expect(() => bearerChallenge(origin, 'a",x="y')).toThrow();
  });
});
