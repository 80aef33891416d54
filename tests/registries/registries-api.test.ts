import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { apiLog } from "@/lib/api/log";
import { registriesLog } from "@/lib/registries/log";
import * as collection from "@/app/api/v1/registries/route";
import * as item from "@/app/api/v1/registries/[id]/route";
import * as test from "@/app/api/v1/registries/[id]/test/route";
import { call, makeMember, makeTeam, type CallOptions, type CallResult, type TeamFixture } from "@/tests/api/fixtures";
import { writeOciImage } from "@/tests/helpers/oci-image";
import { startRegistry, type TestRegistry } from "@/tests/helpers/registry";

process.env.PULLGATE_SECRET_KEY ??= randomBytes(32).toString("base64");
// The registry runs on loopback over plain HTTP: allowed explicitly, and linked with allowHttp.
process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.0/8";

// The REST API for registries: every route, tenant isolation, read-only
// members, input errors, 422 connection_failed, and a scan of every response,
// audit event and log line of the suite for the passwords used.

const PASSWORD = "Api-Pa55word-0c1d2e";
const WRONG = "Wrong-Pa55word-9f8e7d";
const ALL_SECRETS = [PASSWORD, WRONG];

const responses: string[] = [];
const logLines: string[] = [];
type Handler = Parameters<typeof call>[0];

async function api(handler: Handler, method: string, options: CallOptions = {}): Promise<CallResult> {
  const result = await call(handler, method, options);
  responses.push(result.text);
  return result;
}

// Capture every log line the API and the registries code write, at the most verbose level.
function captureLogs(logger: pino.Logger) {
  logger.level = "trace";
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = {
    write: (line: string) => {
      logLines.push(line);
    },
  };
}

let registry: TestRegistry;
let layout: string;
let teamA: TeamFixture;
let teamB: TeamFixture;
let member: { token: string };
let appA: string;
let appB: string;

beforeAll(async () => {
  captureLogs(apiLog);
  captureLogs(registriesLog);
  layout = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-oci-"));
  await writeOciImage(layout, { tag: "1.0" });
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: PASSWORD } });
  await registry.push(layout, "1.0", "acme/api:1.0");
  teamA = await makeTeam("API registries A");
  teamB = await makeTeam("API registries B");
  member = await makeMember(teamA.teamId);
  appA = (await prisma.app.create({ data: { teamId: teamA.teamId, name: "A", slug: `ra-${randomBytes(4).toString("hex")}` } })).id;
  appB = (await prisma.app.create({ data: { teamId: teamB.teamId, name: "B", slug: `rb-${randomBytes(4).toString("hex")}` } })).id;
});

afterAll(async () => {
  await registry?.stop();
  await fs.promises.rm(layout, { recursive: true, force: true });
});

async function snapshotRegistries(teamId: string): Promise<string> {
  const [rows, audit] = await Promise.all([
    prisma.registryCredential.findMany({ where: { teamId }, orderBy: { id: "asc" }, include: { apps: { select: { id: true } } } }),
    // Connection tests are audited even when nothing is saved: counted apart.
    prisma.auditEvent.count({ where: { teamId, action: { not: "registry.test" } } }),
  ]);
  return JSON.stringify({ rows, audit });
}

function body(overrides: Record<string, unknown> = {}) {
  return { provider: "other", endpoint: registry.host, username: "vendor", password: PASSWORD, allowHttp: true, ...overrides };
}

describe("registries API", () => {
  let id: string;

  it("POST links a registry after a successful test and never returns the secret", async () => {
    const res = await api(collection.POST, "POST", { token: teamA.token, body: body({ name: "acme", appIds: [appA] }) });
    expect(res.status).toBe(201);
    expect(Object.keys(res.json.registry).sort()).toEqual(
      [
        "allApps",
        "allowHttp",
        "appIds",
        "createdAt",
        "endpoint",
        "id",
        "lastTestMessage",
        "lastTestStatus",
        "lastTestedAt",
        "name",
        "provider",
        "updatedAt",
        "username",
      ].sort(),
    );
    expect(res.json.registry).toMatchObject({
      provider: "other",
      endpoint: registry.host,
      name: "acme",
      username: "vendor",
      allowHttp: true,
      appIds: [appA],
      lastTestStatus: "connected",
      lastTestMessage: "Connected.",
    });
    id = res.json.registry.id;
  });

  it("GET lists and reads the team's registries", async () => {
    const list = await api(collection.GET, "GET", { token: teamA.token });
    expect(list.status).toBe(200);
    expect(list.json.registries.map((r: { id: string }) => r.id)).toEqual([id]);
    const one = await api(item.GET, "GET", { token: teamA.token, params: { id } });
    expect(one.status).toBe(200);
    expect(one.json.registry.id).toBe(id);
  });

  it("POST /test answers {ok, status, message} for an image present and absent", async () => {
    const ok = await api(test.POST, "POST", { token: teamA.token, params: { id }, body: { image: "acme/api:1.0" } });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ ok: true, status: "connected", message: "Connected." });
    const absent = await api(test.POST, "POST", { token: teamA.token, params: { id }, body: { image: "acme/nope:1.0" } });
    expect(absent.json).toEqual({
      ok: false,
      status: "not_found",
      message: `Image not found: acme/nope:1.0 does not exist in ${registry.host}.`,
    });
    const noBody = await api(test.POST, "POST", { token: teamA.token, params: { id } });
    expect(noBody.json.ok).toBe(true);
    const after = await api(item.GET, "GET", { token: teamA.token, params: { id } });
    expect(after.json.registry.lastTestStatus).toBe("connected");
  });

  it("PATCH edits the alias without the password and keeps the secret", async () => {
    const before = await prisma.registryCredential.findUniqueOrThrow({ where: { id } });
    const res = await api(item.PATCH, "PATCH", { token: teamA.token, params: { id }, body: { name: "acme-2", appIds: null } });
    expect(res.status).toBe(200);
    expect(res.json.registry).toMatchObject({ name: "acme-2", allApps: true, appIds: null });
    const after = await prisma.registryCredential.findUniqueOrThrow({ where: { id } });
    expect(after.secretCiphertext).toBe(before.secretCiphertext);
  });

  it("422 connection_failed with the sentence, and nothing saved, when the test fails", async () => {
    const before = await snapshotRegistries(teamA.teamId);
    const create = await api(collection.POST, "POST", { token: teamA.token, body: body({ endpoint: "127.0.0.1:9", name: "down", password: WRONG }) });
    expect(create.status).toBe(422);
    expect(create.json.error.code).toBe("connection_failed");
    expect(create.json.error.message).toBe("Host unreachable: could not reach a registry at this address.");
    const patch = await api(item.PATCH, "PATCH", { token: teamA.token, params: { id }, body: { password: WRONG } });
    expect(patch.status).toBe(422);
    expect(patch.json).toEqual({
      error: { code: "connection_failed", message: "Wrong credentials: the registry rejected the username or password." },
    });
    expect(await snapshotRegistries(teamA.teamId)).toBe(before);
  });

  it("400 names the offending fields", async () => {
    const before = await snapshotRegistries(teamA.teamId);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ endpoint: registry.host }, ["provider"]],
      [body({ name: "has.dot" }), ["name"]],
      [body({ endpoint: "bad host!" }), ["endpoint"]],
      [body({ name: "x", password: "" }), ["password"]],
      [body({ name: "x", colour: "blue" }), ["colour"]],
      [body({ name: "x", appIds: [appB] }), ["appIds"]],
      [body({ appIds: [appA] }), ["name"]],
      [{ provider: "ghcr", password: PASSWORD }, ["username"]],
      [{ provider: "nope", username: "u", password: "p" }, ["provider"]],
    ];
    for (const [input, paths] of cases) {
      const res = await api(collection.POST, "POST", { token: teamA.token, body: input });
      expect(res.status, JSON.stringify(input)).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
      expect(res.json.error.issues.map((i: { path: string }) => i.path), JSON.stringify(input)).toEqual(paths);
    }
    const raw = await api(collection.POST, "POST", { token: teamA.token, rawBody: "{not json" });
    expect(raw.status).toBe(400);
    const patch = await api(item.PATCH, "PATCH", { token: teamA.token, params: { id }, body: { provider: "ghcr" } });
    expect(patch.status).toBe(400);
    expect(patch.json.error.issues.map((i: { path: string }) => i.path)).toEqual(["provider"]);
    const badImage = await api(test.POST, "POST", { token: teamA.token, params: { id }, body: { image: 42 } });
    expect(badImage.status).toBe(400);
    expect(await snapshotRegistries(teamA.teamId)).toBe(before);
  });

  it("409 for an alias the team already uses", async () => {
    const res = await api(collection.POST, "POST", {
      token: teamA.token,
      body: body({ endpoint: "other.example.com", name: "acme-2", skipValidation: true }),
    });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("conflict");
  });

  it("isolates tenants: team B gets 404 on team A's registry and changes nothing", async () => {
    const before = await snapshotRegistries(teamA.teamId);
    const calls: [Handler, string, CallOptions][] = [
      [item.GET, "GET", {}],
      [item.PATCH, "PATCH", { body: { name: "stolen" } }],
      [item.DELETE, "DELETE", {}],
      [test.POST, "POST", { body: {} }],
    ];
    for (const [handler, method, options] of calls) {
      const res = await api(handler, method, { ...options, token: teamB.token, params: { id } });
      expect(res.status, method).toBe(404);
      expect(res.json.error.code).toBe("not_found");
    }
    const list = await api(collection.GET, "GET", { token: teamB.token });
    expect(list.json.registries).toEqual([]);
    expect(await snapshotRegistries(teamA.teamId)).toBe(before);
  });

  it("members read; writes are 403 and change nothing", async () => {
    const before = await snapshotRegistries(teamA.teamId);
    expect((await api(collection.GET, "GET", { token: member.token })).status).toBe(200);
    expect((await api(item.GET, "GET", { token: member.token, params: { id } })).status).toBe(200);
    const writes: [Handler, string, CallOptions][] = [
      [collection.POST, "POST", { body: body({ endpoint: "m.example.com", skipValidation: true }) }],
      [item.PATCH, "PATCH", { params: { id }, body: { name: "member" } }],
      [item.DELETE, "DELETE", { params: { id } }],
      [test.POST, "POST", { params: { id }, body: {} }],
    ];
    for (const [handler, method, options] of writes) {
      const res = await api(handler, method, { ...options, token: member.token });
      expect(res.status, method).toBe(403);
      expect(res.json.error.code).toBe("forbidden");
    }
    expect(await snapshotRegistries(teamA.teamId)).toBe(before);
  });

  it("401 without a token", async () => {
    expect((await api(collection.GET, "GET", { token: null })).status).toBe(401);
    expect((await api(collection.POST, "POST", { token: null, body: body() })).status).toBe(401);
  });

  it("DELETE unlinks the registry", async () => {
    const res = await api(item.DELETE, "DELETE", { token: teamA.token, params: { id } });
    expect(res.status).toBe(204);
    expect((await api(item.GET, "GET", { token: teamA.token, params: { id } })).status).toBe(404);
    const actions = (await prisma.auditEvent.findMany({ where: { targetId: id, action: { not: "registry.test" } }, orderBy: { time: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["registry.create", "registry.update", "registry.delete"]);
  });

  it("no response, audit event or log line of this suite contains a password", async () => {
    const audit = await prisma.auditEvent.findMany({ where: { teamId: { in: [teamA.teamId, teamB.teamId] } } });
    const haystacks = { responses: responses.join("\n"), audit: JSON.stringify(audit), logs: logLines.join("\n") };
    expect(responses.length).toBeGreaterThan(30);
    expect(logLines.length).toBeGreaterThan(3); // connection tests are logged
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of ALL_SECRETS) expect(text.includes(secret), `${where} contains a password`).toBe(false);
      expect(text.includes("secretCiphertext"), where).toBe(false);
    }
  });
});
