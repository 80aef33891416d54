import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { MAX_REQUEST_BODY_BYTES } from "@/lib/http/request-limits";
import { makeTeam, type TeamFixture } from "../api/fixtures";
import { PORTAL_BUILD_TIMEOUT_MS, startPortalProcess, type PortalProcess } from "../helpers/portal-process";
import { sendLargeBody } from "../helpers/raw-http";

// The attacker's view of the real portal (production build behind
// portal-server/main.ts, real sockets, the test database): forwarded headers,
// huge bodies, framing, cross-site forms and text Postgres cannot store.

const MiB = 1024 * 1024;
let portal: PortalProcess;
let team: TeamFixture;

beforeAll(async () => {
  portal = await startPortalProcess({ DATABASE_URL: process.env.DATABASE_URL! });
  team = await makeTeam("Gate");
}, PORTAL_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await portal?.stop();
});

/** One sign-in through Auth.js's own endpoint, as a script would do it: CSRF token, then the credentials form. */
async function signInOverHttp(baseUrl: string, email: string, password: string, headers: Record<string, string> = {}): Promise<string> {
  return (await signInOverHttpWithCookies(baseUrl, email, password, headers)).location;
}

async function signInOverHttpWithCookies(
  baseUrl: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ location: string; cookies: string[] }> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...headers },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${baseUrl}/dashboard` }),
  });
  await res.body?.cancel();
  expect(res.status).toBe(302);
  return { location: res.headers.get("location") ?? "", cookies: res.headers.getSetCookie() };
}

const throttleKeys = async (fragment: string) =>
  (await prisma.authThrottle.findMany({ where: { key: { contains: fragment } }, orderBy: { key: "asc" } })).map((r) => [r.key, r.failures]);

describe("client address", () => {
  it("ignores a spoofed X-Forwarded-For without PULLGATE_TRUST_PROXY: rotating it neither bypasses the limit nor frames someone else", async () => {
    const email = `spoof-${randomUUID().slice(0, 8)}@example.com`;
    for (const spoofed of ["203.0.113.50", "203.0.113.51", "203.0.113.52"]) {
      const location = await signInOverHttp(portal.url, email, "wrong-password", { "x-forwarded-for": spoofed, "x-real-ip": spoofed });
      expect(location).toContain("error=CredentialsSignin");
    }
    // All three attempts counted against the socket's address, none against the spoofed ones.
    expect(await throttleKeys(email)).toEqual([[`acct-addr:${email}|127.0.0.1`, 3]]);
    expect(await throttleKeys("203.0.113.5")).toEqual([]);
  });

  it("behind a trusted proxy (PULLGATE_TRUST_PROXY=1) takes the entry that proxy appended, so a stranger's failures do not lock the owner out", async () => {
    const trusted = await startPortalProcess({ DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_TRUST_PROXY: "1" });
    try {
      const email = `owner-${randomUUID().slice(0, 8)}@example.com`;
      await createVendor({ email, password: "owner-password-1", teamName: "Owner" });
      const stranger = "203.0.113.66";
      let throttled = false;
      for (let i = 0; i < 12; i++) {
        // The client-written first entry is ignored; the proxy's own (last) entry counts.
        const location = await signInOverHttp(trusted.url, email, `guess-${i}-xxxxx`, { "x-forwarded-for": `198.51.100.1, ${stranger}` });
        if (location.includes("code=too_many_attempts")) throttled = true;
      }
      expect(throttled).toBe(true);
      expect((await throttleKeys(stranger)).map(([key]) => key)).toEqual([`acct-addr:${email}|${stranger}`, `addr:${stranger}`]);
      expect(await throttleKeys("198.51.100.1|")).toEqual([]);

      const owner = await signInOverHttpWithCookies(trusted.url, email, "owner-password-1", { "x-forwarded-for": "192.0.2.44" });
      expect(owner.location).not.toContain("error=");
      expect(owner.cookies.some((c) => c.startsWith("authjs.session-token="))).toBe(true);
    } finally {
      await trusted.stop();
    }
  }, 180_000);
});

describe("request bodies", () => {
  it("refuses 50 MB bodies with 413 before buffering them: the portal's memory stays where it was", async () => {
    const actionId = await findServerActionId(portal.url);
    const targets: { path: string; headers: Record<string, string> }[] = [
      { path: "/api/auth/callback/credentials", headers: { "content-type": "application/x-www-form-urlencoded" } },
      { path: "/api/v1/apps", headers: { "content-type": "application/json", authorization: `Bearer ${team.token}` } },
      { path: "/signin", headers: { "content-type": "text/plain;charset=UTF-8", "next-action": actionId, accept: "text/x-component" } },
    ];
    // Warm up each route with a small body: the first request loads its code, which costs memory of its own.
    for (const target of targets) {
      const small = await sendLargeBody(portal.url, { path: target.path, headers: target.headers, bodyBytes: 16 });
      expect(small.status).not.toBe(413);
    }
    const before = portal.rssBytes();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, portal.rssBytes())), 50);
    try {
      const results = await Promise.all([
        ...targets.map((t) => sendLargeBody(portal.url, { path: t.path, headers: t.headers, bodyBytes: 50 * MiB })),
        sendLargeBody(portal.url, { path: targets[0]!.path, headers: targets[0]!.headers, bodyBytes: 50 * MiB, declareLength: true }),
      ]);
      for (const result of results) {
        expect(result.status).toBe(413);
        expect(JSON.parse(result.body)).toEqual({
          error: { code: "payload_too_large", message: `The request body must be at most ${MAX_REQUEST_BODY_BYTES} bytes.` },
        });
        // Refused early: the client stopped long before sending 50 MB.
        expect(result.bodyBytesSent).toBeLessThan(50 * MiB);
      }
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, portal.rssBytes());
    if (process.env.PRINT_RSS) console.log(`portal RSS before ${(before / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB`);
    expect(peak - before).toBeLessThan(50 * MiB);
    // Still serving.
    expect((await fetch(`${portal.url}/signin`)).status).toBe(200);
  }, 120_000);

  it("accepts a body at the bound and refuses one byte more, chunked or not", async () => {
    // Auth.js's callback: no bound of its own behind the gate (it reads the form whole).
    const path = "/api/auth/callback/credentials";
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    for (const declareLength of [true, false]) {
      const atBound = await sendLargeBody(portal.url, { path, headers, bodyBytes: MAX_REQUEST_BODY_BYTES, declareLength });
      expect(atBound.status).toBe(302); // read whole, and answered as a failed sign-in (no CSRF token)
      const over = await sendLargeBody(portal.url, { path, headers, bodyBytes: MAX_REQUEST_BODY_BYTES + 1, declareLength });
      expect(over.status).toBe(413);
    }
  });
});

describe("responses and forms", () => {
  it("every kind of response carries the anti-framing, nosniff and referrer headers", async () => {
    const html = await (await fetch(`${portal.url}/signin`)).text();
    const asset = /\/_next\/static\/[^"']+\.(?:js|css)/.exec(html)?.[0];
    expect(asset).toBeTruthy();
    for (const path of ["/signin", "/api/v1/apps", "/no-such-page", asset!]) {
      const res = await fetch(`${portal.url}${path}`);
      await res.body?.cancel();
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
    }
  });

  it("refuses a cross-origin server action with 403, not 500; a same-origin one still reaches Next", async () => {
    const actionId = await findServerActionId(portal.url);
    const post = (origin: string) =>
      fetch(`${portal.url}/signin`, {
        method: "POST",
        headers: { origin, "next-action": actionId, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component" },
        body: '[{"email":"a@example.com"},"$K1"]',
      });
    const cross = await post("https://attacker.example");
    expect(cross.status).toBe(403);
    expect(((await cross.json()) as { error: { code: string } }).error.code).toBe("cross_origin");
    const nullOrigin = await post("null");
    await nullOrigin.body?.cancel();
    expect(nullOrigin.status).toBe(403);
    const same = await post(portal.url);
    await same.body?.cancel();
    expect(same.status).not.toBe(403);
    // Auth.js's form endpoints are covered too.
    const signOut = await fetch(`${portal.url}/api/auth/signout`, { method: "POST", headers: { origin: "https://attacker.example" }, redirect: "manual" });
    await signOut.body?.cancel();
    expect(signOut.status).toBe(403);
  });

  it("answers NUL bytes and unpaired surrogates with 400 naming the field, never 500, and logs no database error", async () => {
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${portal.url}${path}`, { ...init, headers: { authorization: `Bearer ${team.token}`, "content-type": "application/json", ...init.headers } });
    const cases: [string, Promise<Response>, string][] = [
      ["NUL in a JSON string", api("/api/v1/apps", { method: "POST", body: '{"name":"a\\u0000b"}' }), "name"],
      ["lone surrogate in a JSON string", api("/api/v1/apps", { method: "POST", body: '{"name":"a\\ud800b"}' }), "name"],
      ["NUL in the query", api("/api/v1/customers?q=%00"), "q"],
      ["NUL in a path segment", api("/api/v1/customers/%00"), "(path).id"],
      ["NUL in a JSON key", api("/api/v1/apps", { method: "POST", body: '{"na\\u0000me":"x"}' }), "na\u0000me"],
    ];
    for (const [label, pending, field] of cases) {
      const res = await pending;
      const body = (await res.json()) as { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
      expect(res.status, label).toBe(400);
      expect(body.error.code, label).toBe("invalid_request");
      expect(body.error.issues?.[0]?.path, label).toBe(field);
      expect(body.error.message, label).toContain("cannot be stored");
    }
    // Sign-in with a NUL in the email is just a failed sign-in.
    expect(await signInOverHttp(portal.url, "a\u0000@example.com", "whatever-1234")).toContain("error=CredentialsSignin");
    // A portal page with such an id is a 404, not an error page.
    const page = await fetch(`${portal.url}/customers/%00`, { redirect: "manual" });
    await page.body?.cancel();
    expect([307, 404]).toContain(page.status); // signed out: redirected to sign-in before any lookup
    expect(portal.logs()).not.toMatch(/invalid byte sequence|22021|unhandled error/);
  });
});

/** A real server action id, read from the sign-in page's client code as a browser would find it. */
async function findServerActionId(baseUrl: string): Promise<string> {
  const html = await (await fetch(`${baseUrl}/signin`)).text();
  for (const src of html.match(/\/_next\/static\/chunks\/[^"']+\.js/g) ?? []) {
    const code = await (await fetch(`${baseUrl}${src}`)).text();
    const id = /createServerReference\)\("([0-9a-f]{40,})"/.exec(code)?.[1] ?? /\("([0-9a-f]{40,})",\w+\.callServer/.exec(code)?.[1];
    if (id) return id;
  }
  throw new Error("no server action id found in the sign-in page's scripts");
}
