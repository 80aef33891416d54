import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { SignJWT } from "jose";
import { createHmac } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { deriveKey } from "@/lib/secrets/master-key";
import type { AuthorizationData, LicenseRecord } from "./authorization-data";
import { authenticate, licenseForId, readCredentials } from "./customer-auth";
import { issueCustomerToken, licenseForToken, parseScope, TOKEN_TTL_SECONDS, tokenAllows, verifyCustomerToken } from "./customer-token";

// Customer credentials without a server: what a Basic header or a bearer
// token resolves to, and every way a token must stop working (expired, not
// yet valid, another service, another key, a forged or incomplete payload, a
// license ID changed since). tests/proxy/customer-auth.test.ts plays the same
// over HTTP against the real proxy.

process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");

const SERVICE = "proxy.example.com";
const LICENSE_ID = "Ab3".repeat(9);

function licenseRecord(overrides: Partial<LicenseRecord> = {}): LicenseRecord {
  return {
    id: "lic-row-1",
    licenseId: LICENSE_ID,
    teamId: "team-1",
    expiresAt: null,
    registryAccess: true,
    imagePatterns: [],
    customer: { id: "cust-1", name: "C", email: null, archivedAt: null, appId: "app-1" },
    ...overrides,
  };
}

/** The two lookups authentication uses, over an in-memory list of licenses. */
function fakeData(licenses: LicenseRecord[]): AuthorizationData & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    license: async (licenseId: string) => {
      asked.push(licenseId);
      return licenses.find((l) => l.licenseId === licenseId) ?? null;
    },
    licenseByRef: async (id: string) => licenses.find((l) => l.id === id) ?? null,
  } as unknown as AuthorizationData & { asked: string[] };
}

const access = [{ type: "repository" as const, name: "proxy/app/reg/acme/api", actions: ["pull"] }];

function request(authorization?: string): IncomingMessage {
  return { headers: authorization === undefined ? {} : { authorization } } as IncomingMessage;
}

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString("base64")}`;

describe("customer tokens", () => {
  it("round-trip: the claims name the license row and the grant, and bind the license ID without carrying it", async () => {
    const now = new Date();
    const issued = await issueCustomerToken({ license: licenseRecord(), access }, SERVICE, now);
    expect(issued.expires_in).toBe(TOKEN_TTL_SECONDS);
    expect(issued.access_token).toBe(issued.token);
    expect(issued.issued_at).toBe(now.toISOString());
    expect(JSON.parse(Buffer.from(issued.token.split(".")[0]!, "base64url").toString("utf8"))).toEqual({ alg: "HS256", typ: "JWT" });
    const payload = JSON.parse(Buffer.from(issued.token.split(".")[1]!, "base64url").toString("utf8"));
    expect(payload).toMatchObject({ sub: "lic-row-1", iss: "pullgate-proxy", aud: SERVICE, access });
    expect(payload.exp - payload.iat).toBe(TOKEN_TTL_SECONDS);
    expect(payload.iat - payload.nbf).toBe(5);
    expect(payload.lbd).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(issued.token).not.toContain(LICENSE_ID);
    const claims = await verifyCustomerToken(issued.token, SERVICE);
    expect(claims).toEqual({ licenseRef: "lic-row-1", licenseBinding: payload.lbd, access });
    // Another license ID binds differently.
    const other = await issueCustomerToken({ license: licenseRecord({ licenseId: "Zz9".repeat(9) }), access }, SERVICE, now);
    expect((await verifyCustomerToken(other.token, SERVICE))!.licenseBinding).not.toBe(payload.lbd);
  });

  it("are refused once expired, before they are valid, for another service, or tampered with", async () => {
    const license = licenseRecord();
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);
    expect(await verifyCustomerToken((await issueCustomerToken({ license, access }, SERVICE, at(TOKEN_TTL_SECONDS - 20))).token, SERVICE)).not.toBeNull();
    expect(await verifyCustomerToken((await issueCustomerToken({ license, access }, SERVICE, at(TOKEN_TTL_SECONDS + 5))).token, SERVICE)).toBeNull();
    expect(await verifyCustomerToken((await issueCustomerToken({ license, access }, SERVICE, at(-60))).token, SERVICE)).toBeNull();
    const { token } = await issueCustomerToken({ license, access }, SERVICE);
    expect(await verifyCustomerToken(token, "other.example.com")).toBeNull();
    const [h, p, s] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), sub: "someone-else" })).toString("base64url");
    expect(await verifyCustomerToken(`${h}.${forged}.${s}`, SERVICE)).toBeNull();
    expect(await verifyCustomerToken("not-a-jwt", SERVICE)).toBeNull();
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${p}.`;
    expect(await verifyCustomerToken(none, SERVICE)).toBeNull();
  });

  it("are refused when signed with another key, by another issuer, or without the claims they need", async () => {
    const sign = (payload: Record<string, unknown>, key: Uint8Array, issuer = "pullgate-proxy") =>
      new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).setIssuer(issuer).setAudience(SERVICE).setIssuedAt().setExpirationTime("5m").sign(key);
    const ours = new Uint8Array(deriveKey("proxy-jwt"));
    const complete = { sub: "lic-row-1", lbd: "x".repeat(22), access };
    expect(await verifyCustomerToken(await sign(complete, ours), SERVICE)).toEqual({ licenseRef: "lic-row-1", licenseBinding: "x".repeat(22), access });
    expect(await verifyCustomerToken(await sign(complete, randomBytes(32)), SERVICE)).toBeNull();
    expect(await verifyCustomerToken(await sign(complete, ours, "someone-else"), SERVICE)).toBeNull();
    expect(await verifyCustomerToken(await sign({ lbd: "x", access }, ours), SERVICE)).toBeNull();
    expect(await verifyCustomerToken(await sign({ sub: "lic-row-1", access }, ours), SERVICE)).toBeNull();
    expect(await verifyCustomerToken(await sign({ sub: "lic-row-1", lbd: "x", access: "all" }, ours), SERVICE)).toBeNull();
    expect(await verifyCustomerToken(await sign({ sub: "lic-row-1", lbd: 7, access }, ours), SERVICE)).toBeNull();
  });

  it("are signed and bound with keys derived for exactly these purposes", async () => {
    // A fresh module: the derived keys are cached per process on first use.
    vi.resetModules();
    const fresh = await import("./customer-token");
    const { token } = await fresh.issueCustomerToken({ license: licenseRecord(), access }, SERVICE);
    const { jwtVerify } = await import("jose");
    await expect(jwtVerify(token, new Uint8Array(deriveKey("proxy-jwt")), { audience: SERVICE })).resolves.toBeTruthy();
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
    expect(payload.lbd).toBe(createHmac("sha256", deriveKey("proxy-token-license-binding")).update(LICENSE_ID).digest("base64url").slice(0, 22));
  });

  it("resolve to their license only while its license ID is the one they were issued for", async () => {
    const license = licenseRecord();
    const claims = (await verifyCustomerToken((await issueCustomerToken({ license, access }, SERVICE)).token, SERVICE))!;
    expect(await licenseForToken(fakeData([license]), claims)).toBe(license);
    expect(await licenseForToken(fakeData([licenseRecord({ licenseId: "Zz9".repeat(9) })]), claims)).toBeNull();
    expect(await licenseForToken(fakeData([]), claims)).toBeNull();
  });

  it("allow exactly the repositories they name, for pull", () => {
    const claims = { licenseRef: "r", licenseBinding: "b", access: [...access, { type: "repository" as const, name: "proxy/app/reg/acme/push-only", actions: ["push"] }] };
    expect(tokenAllows(claims, "proxy/app/reg/acme/api")).toBe(true);
    expect(tokenAllows(claims, "proxy/app/reg/acme/ap")).toBe(false);
    expect(tokenAllows(claims, "proxy/app/reg/acme/api/x")).toBe(false);
    expect(tokenAllows(claims, "proxy/app/reg/acme/push-only")).toBe(false);
    expect(tokenAllows({ ...claims, access: [{ type: "registry" as unknown as "repository", name: "proxy/app/reg/acme/api", actions: ["pull"] }] }, "proxy/app/reg/acme/api")).toBe(false);
    expect(tokenAllows({ ...claims, access: [] }, "proxy/app/reg/acme/api")).toBe(false);
  });
});

describe("parseScope", () => {
  it.each([
    ["repository:proxy/app/reg/acme/api:pull", { name: "proxy/app/reg/acme/api", actions: ["pull"] }],
    ["repository:proxy/app/localhost:5000/acme:pull,push", { name: "proxy/app/localhost:5000/acme", actions: ["pull", "push"] }],
    ["repository:a:pull,,push", { name: "a", actions: ["pull", "push"] }],
    ["registry:catalog:*", null],
    ["repository:", null],
    ["repository::pull", null],
    ["repository:a", null],
    ["repository:a:", null],
    ["repository:a:,", null],
    ["Repository:a:pull", null],
  ])("%s", (scope, expected) => {
    expect(parseScope(scope)).toEqual(expected);
  });
});

describe("readCredentials", () => {
  it.each([
    [undefined, null],
    ["", null],
    ["Basic", null],
    [basic("LICENSE_ID:secret"), { kind: "basic", username: "LICENSE_ID", password: "secret" }],
    [`BASIC ${Buffer.from("ops@example.com:pa:ss").toString("base64")}`, { kind: "basic", username: "ops@example.com", password: "pa:ss" }],
    [`basic   ${Buffer.from(":only-password").toString("base64")}  `, { kind: "basic", username: "", password: "only-password" }],
    [basic("no-colon"), null],
    ["Bearer abc.def.ghi", { kind: "bearer", token: "abc.def.ghi" }],
    ["bearer  abc  ", { kind: "bearer", token: "abc" }],
    ["Bearer    ", null],
    ["Digest abc", null],
  ])("%s", (header, expected) => {
    expect(readCredentials(request(header))).toEqual(expected);
  });
});

describe("licenseForId and authenticate", () => {
  it("look up only well-formed license IDs (trimmed), and nothing else", async () => {
    const license = licenseRecord();
    const data = fakeData([license]);
    expect(await licenseForId(data, LICENSE_ID)).toBe(license);
    expect(await licenseForId(data, `  ${LICENSE_ID}\n`)).toBe(license);
    for (const bad of [LICENSE_ID.slice(1), `${LICENSE_ID}a`, `${LICENSE_ID.slice(1)}-`, "", `x${LICENSE_ID}`.slice(0, 27).replace(/^x/, "é")]) {
      expect(await licenseForId(data, bad), bad).toBeNull();
    }
    // Malformed candidates never reach the database.
    expect(data.asked).toEqual([LICENSE_ID, LICENSE_ID]);
    expect(await licenseForId(fakeData([]), "Qq1".repeat(9))).toBeNull();
  });

  it("resolve Basic and bearer credentials to the license, and refuse the rest", async () => {
    const license = licenseRecord();
    const data = fakeData([license]);
    expect(await authenticate(data, { kind: "basic", username: "x", password: LICENSE_ID }, SERVICE)).toEqual({ license, token: null });
    expect(await authenticate(data, { kind: "basic", username: "x", password: "Qq1".repeat(9) }, SERVICE)).toBeNull();
    const { token } = await issueCustomerToken({ license, access }, SERVICE);
    const viaToken = await authenticate(data, { kind: "bearer", token }, SERVICE);
    expect(viaToken?.license).toBe(license);
    expect(viaToken?.token?.access).toEqual(access);
    expect(await authenticate(data, { kind: "bearer", token }, "other.example.com")).toBeNull();
    expect(await authenticate(fakeData([licenseRecord({ licenseId: "Zz9".repeat(9) })]), { kind: "bearer", token }, SERVICE)).toBeNull();
    expect(await authenticate(data, { kind: "bearer", token: "garbage" }, SERVICE)).toBeNull();
  });
});
