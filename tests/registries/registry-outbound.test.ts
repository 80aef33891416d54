import { randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { ConnectionFailedError, SecretRequiredError, ValidationError } from "@/lib/errors";
import { createRegistry } from "@/lib/registries/create-registry";
import { registriesLog } from "@/lib/registries/log";
import { testRegistryDraft } from "@/lib/registries/test-registry-draft";
import { testSavedRegistry } from "@/lib/registries/test-saved-registry";
import { updateRegistry } from "@/lib/registries/update-registry";
import { decryptSecret } from "@/lib/secrets/crypto";
import * as item from "@/app/api/v1/registries/[id]/route";
import * as testRoute from "@/app/api/v1/registries/[id]/test/route";
import { call, makeTeam, type TeamFixture } from "@/tests/api/fixtures";
import { startDnsServer, type TestDnsServer } from "@/tests/helpers/dns-server";
import { freePort } from "@/tests/helpers/registry";

process.env.PULLGATE_SECRET_KEY ??= randomBytes(32).toString("base64");

// What a hostile vendor cannot do with the registry forms and API: carry a
// stored secret to another host, map ports through the connection test, or
// reach loopback by spelling it differently. Every test connection is audited.

const SECRET = "Stored-Secret-4b1f9e";
const ALLOW = "127.0.0.0/8";

type Capture = { host: string; requests: { url: string; authorization?: string }[]; close(): Promise<void> };

/** A registry stand-in that records every request and accepts Basic `vendor:<password>` for any password. */
async function captureServer(): Promise<Capture> {
  const requests: Capture["requests"] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
    if (!req.headers.authorization) return void res.writeHead(401, { "www-authenticate": 'Basic realm="capture"' }).end();
    if (req.url?.includes("/manifests/")) return void res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    res.writeHead(200, { "docker-distribution-api-version": "registry/2.0", "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const logLines: string[] = [];
let team: TeamFixture;
let original: Capture;
let capture: Capture;
let registryId: string;

beforeAll(async () => {
  process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = ALLOW;
  registriesLog.level = "trace";
  (registriesLog as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (line: string) => void logLines.push(line) };
  team = await makeTeam("Outbound registries");
  [original, capture] = await Promise.all([captureServer(), captureServer()]);
  const dto = await createRegistry(team.actor, { provider: "other", endpoint: original.host, name: "bound", username: "vendor", password: SECRET, allowHttp: true });
  expect(dto.lastTestStatus).toBe("connected");
  registryId = dto.id;
});

afterEach(() => {
  process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = ALLOW;
  delete process.env.PULLGATE_CONNECTION_TEST_TIMEOUT;
});

afterAll(async () => {
  await Promise.all([original?.close(), capture?.close()]);
  delete process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
});

const sentSecret = (c: Capture) => c.requests.some((r) => r.authorization?.includes(Buffer.from(`vendor:${SECRET}`).toString("base64")));

describe("a stored secret stays bound to its endpoint", () => {
  it("PATCH of the endpoint, username or plain-HTTP switch without the secret is 400 secret_required, and nothing is sent", async () => {
    const before = await prisma.registryCredential.findUniqueOrThrow({ where: { id: registryId } });
    const patches = [
      { endpoint: capture.host },
      { endpoint: capture.host, skipValidation: true },
      { endpoint: `http://${capture.host}/`, password: "" },
      { username: "someone-else" },
    ];
    for (const patch of patches) {
      const res = await call(item.PATCH, "PATCH", { token: team.token, params: { id: registryId }, body: patch });
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(res.json.error.code).toBe("secret_required");
      expect(res.json.error.issues.map((i: { path: string }) => i.path)).toEqual(["password"]);
    }
    expect(capture.requests).toEqual([]);
    const after = await prisma.registryCredential.findUniqueOrThrow({ where: { id: registryId } });
    expect(after).toEqual(before);
  });

  it("asks for the secret when plain HTTP is turned on for a registry saved without it", async () => {
    const strict = await createRegistry(team.actor, {
      provider: "other",
      endpoint: "strict.example.test",
      username: "vendor",
      password: SECRET,
      skipValidation: true,
    });
    await expect(updateRegistry(team.actor, strict.id, { allowHttp: true, skipValidation: true })).rejects.toBeInstanceOf(SecretRequiredError);
    const ok = await updateRegistry(team.actor, strict.id, { allowHttp: true, password: SECRET, skipValidation: true });
    expect(ok.allowHttp).toBe(true);
  });

  it("the form's test with another endpoint and a blank password is refused without connecting", async () => {
    for (const patch of [{ endpoint: capture.host, password: "" }, { endpoint: capture.host }, { username: "x", password: "" }]) {
      const err = await testRegistryDraft(team.actor, { existingId: registryId, ...patch }).catch((e: unknown) => e);
      expect(err, JSON.stringify(patch)).toBeInstanceOf(SecretRequiredError);
      expect((err as SecretRequiredError).status).toBe(400);
    }
    expect(capture.requests).toEqual([]);
    // The stored endpoint itself may be tested with the stored secret.
    expect((await testRegistryDraft(team.actor, { existingId: registryId, password: "" })).status).toBe("connected");
    expect(sentSecret(original)).toBe(true);
  });

  it("with the secret given again, the new endpoint gets that secret and never the stored one", async () => {
    const dto = await updateRegistry(team.actor, registryId, { endpoint: capture.host, password: "Fresh-Secret-77aa01" });
    expect(dto).toMatchObject({ endpoint: capture.host, lastTestStatus: "connected" });
    expect(capture.requests.length).toBeGreaterThan(0);
    expect(sentSecret(capture)).toBe(false);
    const row = await prisma.registryCredential.findUniqueOrThrow({ where: { id: registryId } });
    expect(decryptSecret(row.secretCiphertext)).toBe("Fresh-Secret-77aa01");
  });

  it("every connection test is audited: who, which registry, what came of it", async () => {
    const start = new Date();
    await call(testRoute.POST, "POST", { token: team.token, params: { id: registryId }, body: {} });
    await testRegistryDraft(team.actor, { existingId: registryId, password: "" });
    await testRegistryDraft(team.actor, { provider: "other", endpoint: capture.host, username: "vendor", password: "draft-pw-1234", allowHttp: true });
    await testSavedRegistry(team.actor, registryId, { image: "acme/api:1.0" });
    await createRegistry(team.actor, { provider: "other", endpoint: `127.0.0.1:${await freePort()}`, name: "gone", username: "", password: "", allowHttp: true }).catch(() => {});
    const events = await prisma.auditEvent.findMany({ where: { teamId: team.teamId, action: "registry.test", time: { gte: start } }, orderBy: { time: "asc" } });
    expect(events).toHaveLength(5);
    expect(events.map((e) => e.targetId)).toEqual([registryId, registryId, null, registryId, null]);
    expect(events.every((e) => e.actorLabel === team.actor.label && e.targetType === "registry")).toBe(true);
    expect(events.map((e) => (e.after as { result: string }).result)).toEqual(["connected", "connected", "connected", "not_found", "unreachable"]);
    expect(events[0]!.targetName).toBe("bound");
    expect(events[3]!.after).toMatchObject({ endpoint: capture.host, image: "acme/api:1.0" });
    expect(JSON.stringify(events)).not.toContain("draft-pw-1234");
  });
});

describe("the connection test is not a port scanner", () => {
  it("reads the same for a closed port, a resetting port and a silent port; the cause goes to the log", async () => {
    process.env.PULLGATE_CONNECTION_TEST_TIMEOUT = "1";
    const sockets = new Set<net.Socket>();
    const resetting = net.createServer((socket) => socket.resetAndDestroy());
    const closing = net.createServer((socket) => socket.end());
    const silent = net.createServer((socket) => sockets.add(socket));
    const hostOf = async (server: net.Server) => {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
      return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    };
    const hosts = { closed: `127.0.0.1:${await freePort()}`, reset: await hostOf(resetting), closing: await hostOf(closing), silent: await hostOf(silent) };
    try {
      const messages = new Set<string>();
      const logged = logLines.length;
      for (const allowHttp of [false, true]) {
        for (const [kind, endpoint] of Object.entries(hosts)) {
          const draft = await testRegistryDraft(team.actor, { provider: "other", endpoint, username: "", password: "", allowHttp });
          expect(draft, `${kind} allowHttp=${allowHttp}`).toEqual({ ok: false, status: "unreachable", message: "Host unreachable: could not reach a registry at this address." });
          messages.add(draft.message);
          const saved = await createRegistry(team.actor, { provider: "other", endpoint, name: `probe-${kind}`, username: "", password: "", allowHttp }).catch((e: unknown) => e);
          expect(saved).toBeInstanceOf(ConnectionFailedError);
          messages.add((saved as Error).message);
        }
      }
      expect([...messages]).toEqual(["Host unreachable: could not reach a registry at this address."]);
      // Operators still see what happened.
      const details = logLines.slice(logged).map((line) => (JSON.parse(line) as { detail?: string }).detail ?? "");
      expect(details.some((d) => d.includes("ECONNREFUSED"))).toBe(true);
      expect(details.some((d) => /ECONNRESET|UND_ERR_SOCKET/.test(d))).toBe(true);
      expect(details.some((d) => /no answer within|did not answer/.test(d))).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      resetting.close();
      closing.close();
      silent.close();
    }
  });

  it("still says when an HTTP server is not a registry", async () => {
    const web = http.createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<p>portal</p>"));
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", () => resolve()));
    const host = `127.0.0.1:${(web.address() as net.AddressInfo).port}`;
    try {
      const result = await testRegistryDraft(team.actor, { provider: "other", endpoint: host, username: "", password: "", allowHttp: true });
      expect(result).toEqual({ ok: false, status: "not_a_registry", message: `Not a container registry: ${host} answered GET /v2/ with HTTP 404.` });
    } finally {
      web.close();
    }
  });
});

describe("loopback by any other name", () => {
  let dns: TestDnsServer;
  const savedDns = process.env.PULLGATE_DNS_SERVERS;
  beforeAll(async () => {
    dns = await startDnsServer();
  });
  afterAll(async () => {
    await dns?.close();
    if (savedDns === undefined) delete process.env.PULLGATE_DNS_SERVERS;
    else process.env.PULLGATE_DNS_SERVERS = savedDns;
  });

  it("refuses numeric spellings and IPv6 forms of refused addresses when saving, even without a test", async () => {
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "";
    const base = { provider: "other" as const, username: "", password: "", allowHttp: true, skipValidation: true };
    const cases: [string, string][] = [
      ["127.1", "write an IP address as four decimal numbers"],
      ["0x7f000001", "write an IP address as four decimal numbers"],
      ["2130706433:5000", "write an IP address as four decimal numbers"],
      ["0177.0.0.1", "write an IP address as four decimal numbers"],
      ["10.0.0.0x1", "write an IP address as four decimal numbers"],
      ["127.0.0.1:5000", "Registry address 127.0.0.1 is in a private range; set PULLGATE_UPSTREAM_ALLOW_CIDRS to allow it."],
      ["10.1.2.3", "Registry address 10.1.2.3 is in a private range; set PULLGATE_UPSTREAM_ALLOW_CIDRS to allow it."],
      ["169.254.169.254", "Registry address 169.254.169.254 is in a private range; set PULLGATE_UPSTREAM_ALLOW_CIDRS to allow it."],
      ["0.0.0.0:5000", "Registry address 0.0.0.0 is not a unicast address and is never allowed."],
      ["[::1]:5000", "Registry address ::1 is in a private range"],
      ["[::ffff:127.0.0.1]", "Registry address ::ffff:127.0.0.1 is in a private range"],
      ["[::ffff:7f00:1]", "Registry address ::ffff:7f00:1 is in a private range"],
      ["[fd00::1]", "Registry address fd00::1 is in a private range"],
    ];
    for (const [endpoint, message] of cases) {
      const err = await createRegistry(team.actor, { ...base, endpoint }).catch((e: unknown) => e);
      expect(err, endpoint).toBeInstanceOf(ValidationError);
      const issue = (err as ValidationError).issues.find((i) => i.path === "endpoint");
      expect(issue?.message, endpoint).toContain(message);
    }
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = ALLOW;
    const allowed = await createRegistry(team.actor, { ...base, endpoint: "127.0.0.9:5000", name: "numeric" });
    expect(allowed.endpoint).toBe("127.0.0.9:5000");
  });

  it("refuses a name that resolves to loopback, and the registry there hears nothing", async () => {
    process.env.PULLGATE_DNS_SERVERS = dns.address;
    const port = capture.host.split(":")[1]!;
    dns.zone.set("registry.evil.test", { a: ["127.0.0.1"] });
    dns.zone.set("registry6.evil.test", { aaaa: ["::ffff:7f00:1"] });
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "";
    const seen = capture.requests.length;
    for (const name of ["registry.evil.test", "registry6.evil.test", "localhost"]) {
      const result = await testRegistryDraft(team.actor, { provider: "other", endpoint: `${name}:${port}`, username: "", password: "", allowHttp: true });
      expect(result.status, name).toBe("address_not_allowed");
      expect(result.message, name).toMatch(/^Address not allowed: registry address (127\.0\.0\.1|::ffff:127\.0\.0\.1|::ffff:7f00:1) is in a private range; set PULLGATE_UPSTREAM_ALLOW_CIDRS to allow it\.$/);
    }
    expect(capture.requests.length).toBe(seen);
    // The same name, allowed: it connects.
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.1/32";
    const result = await testRegistryDraft(team.actor, { provider: "other", endpoint: `registry.evil.test:${port}`, username: "vendor", password: "typed-pw-1234", allowHttp: true });
    expect(result.status).toBe("connected");
    expect(capture.requests.length).toBeGreaterThan(seen);
  });
});
