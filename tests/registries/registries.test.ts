import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { ConflictError, ConnectionFailedError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { createRegistry } from "@/lib/registries/create-registry";
import { deleteRegistry } from "@/lib/registries/delete-registry";
import { getRegistry } from "@/lib/registries/get-registry";
import { listRegistries } from "@/lib/registries/list-registries";
import { reencryptRegistrySecrets } from "@/lib/registries/reencrypt-registry-secrets";
import { testRegistryDraft } from "@/lib/registries/test-registry-draft";
import { testSavedRegistry } from "@/lib/registries/test-saved-registry";
import { testRegistryConnection } from "@/lib/registries/test-registry-connection";
import { updateRegistry } from "@/lib/registries/update-registry";
import { decryptSecret, loadKeyring } from "@/lib/secrets/crypto";
import { clearUpstreamTokenCache } from "@/lib/upstream/client";
import { makeTeam, type TeamFixture } from "@/tests/api/fixtures";
import { writeOciImage } from "@/tests/helpers/oci-image";
import { freePort, startRegistry, type TestRegistry } from "@/tests/helpers/registry";

process.env.PULLGATE_SECRET_KEY ??= randomBytes(32).toString("base64");
// The registries here run on loopback, over plain HTTP (so linked with allowHttp): allowed explicitly.
process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.0/8";

// Registries end to end below the API: the connection test against a real
// Distribution registry (htpasswd, token auth, TLS), what is stored, audit
// events, and that the password never appears anywhere we hand out.

const PASSWORD = "Reg-Pa55word-4e9a1c";
const TOKEN_PASSWORD = "Tok-Pa55word-77b2d0";
const seen: string[] = []; // everything handed out during the suite, scanned for passwords at the end

async function invalid(promise: Promise<unknown>): Promise<ValidationError> {
  const err = await promise.then(
    () => new Error("expected a validation error"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

function keep<T>(value: T): T {
  seen.push(JSON.stringify(value));
  return value;
}

let layout: string;
let basic: TestRegistry;
let token: TestRegistry;
let team: TeamFixture;
let other: TeamFixture;

beforeAll(async () => {
  layout = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-oci-"));
  await writeOciImage(layout, { tag: "1.0" });
  [basic, token] = await Promise.all([
    startRegistry({ auth: "htpasswd", users: { vendor: PASSWORD } }),
    startRegistry({
      auth: "token",
      users: { admin: "admin-pw", vendor: TOKEN_PASSWORD },
      canAccess: (user, repository) => user === "admin" || repository !== "acme/private",
    }),
  ]);
  await Promise.all([
    basic.push(layout, "1.0", "acme/api:1.0"),
    token.push(layout, "1.0", "acme/api:1.0"),
    token.push(layout, "1.0", "acme/private:1.0"),
  ]);
  team = await makeTeam("Registries A");
  other = await makeTeam("Registries B");
});

afterAll(async () => {
  await Promise.all([basic?.stop(), token?.stop()]);
  await fs.promises.rm(layout, { recursive: true, force: true });
});

describe("linking a registry with htpasswd (Basic) auth", () => {
  it("tests, saves encrypted, and audits without the secret", async () => {
    const dto = keep(
      await createRegistry(team.actor, { provider: "other", endpoint: basic.host, name: "basic", username: "vendor", password: PASSWORD, allowHttp: true }),
    );
    expect(dto).toMatchObject({ provider: "other", endpoint: basic.host, name: "basic", username: "vendor", allApps: true, appIds: null });
    expect(dto.lastTestStatus).toBe("connected");
    expect(dto.lastTestMessage).toBe("Connected.");
    expect(dto.lastTestedAt).not.toBeNull();
    expect(Object.keys(dto)).not.toContain("secretCiphertext");

    const row = await prisma.registryCredential.findUniqueOrThrow({ where: { id: dto.id } });
    expect(row.secretCiphertext).toMatch(/^v1\.[0-9a-f]{8}:/);
    expect(row.secretCiphertext).not.toContain(PASSWORD);
    expect(decryptSecret(row.secretCiphertext)).toBe(PASSWORD);
    expect(row.authType).toBe("basic");

    const audit = keep(await prisma.auditEvent.findMany({ where: { teamId: team.teamId, OR: [{ targetId: dto.id }, { targetId: null }] }, orderBy: { time: "asc" } }));
    // The test the save ran is on record too (no id yet: the registry did not exist).
    expect(audit.map((e) => e.action)).toEqual(["registry.test", "registry.create"]);
    expect(audit[0]!.after).toMatchObject({ endpoint: basic.host, result: "connected" });
    expect(audit[0]!.actorLabel).toBe(team.actor.label);
    audit.splice(0, 1);
    expect(audit[0]!.after).toMatchObject({ endpoint: basic.host, username: "vendor", appIds: "all" });

    keep(await listRegistries(team.actor));
    keep(await getRegistry(team.actor, dto.id));
  });

  it("saves nothing when the password is wrong, unless told to skip the test", async () => {
    const before = await prisma.registryCredential.count({ where: { teamId: other.teamId } });
    const auditBefore = await prisma.auditEvent.count({ where: { teamId: other.teamId, action: { not: "registry.test" } } });
    const err = await createRegistry(other.actor, {
      provider: "other",
      endpoint: basic.host,
      name: "basic",
      username: "vendor",
      password: "wrong-password-123",
      allowHttp: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionFailedError);
    expect((err as ConnectionFailedError).status).toBe(422);
    expect((err as Error).message).toBe("Wrong credentials: the registry rejected the username or password.");
    expect(await prisma.registryCredential.count({ where: { teamId: other.teamId } })).toBe(before);
    expect(await prisma.auditEvent.count({ where: { teamId: other.teamId, action: { not: "registry.test" } } })).toBe(auditBefore);
    const probe = await prisma.auditEvent.findFirst({ where: { teamId: other.teamId, action: "registry.test" }, orderBy: { time: "desc" } });
    expect(probe?.after).toMatchObject({ endpoint: basic.host, result: "unauthorized" });

    const skipped = keep(
      await createRegistry(other.actor, {
        provider: "other",
        endpoint: basic.host,
        name: "basic",
        username: "vendor",
        password: "wrong-password-123",
        allowHttp: true,
        skipValidation: true,
      }),
    );
    expect(skipped.lastTestedAt).toBeNull();
    const tested = keep(await testSavedRegistry(other.actor, skipped.id));
    expect(tested).toEqual({ ok: false, status: "unauthorized", message: "Wrong credentials: the registry rejected the username or password." });
    const after = keep(await getRegistry(other.actor, skipped.id));
    expect(after.lastTestStatus).toBe("unauthorized");
    expect(after.lastTestedAt).not.toBeNull();
    await deleteRegistry(other.actor, skipped.id);
  });

  it("finds an image that exists and names one that does not", async () => {
    const [dto] = await listRegistries(team.actor);
    expect(keep(await testSavedRegistry(team.actor, dto!.id, { image: "acme/api:1.0" }))).toEqual({
      ok: true,
      status: "connected",
      message: "Connected.",
    });
    expect(keep(await testSavedRegistry(team.actor, dto!.id, { image: `${basic.host}/acme/api:2.0` }))).toEqual({
      ok: false,
      status: "not_found",
      message: `Image not found: acme/api:2.0 does not exist in ${basic.host}.`,
    });
    expect((await testSavedRegistry(team.actor, dto!.id, { image: "Not An Image" })).status).toBe("invalid_image");
    const stored = await getRegistry(team.actor, dto!.id);
    expect(stored.lastTestStatus).toBe("invalid_image");
  });

  it("edits the alias and app access without the password, keeping the secret", async () => {
    const [dto] = await listRegistries(team.actor);
    const before = await prisma.registryCredential.findUniqueOrThrow({ where: { id: dto!.id } });
    const app = await prisma.app.create({ data: { teamId: team.teamId, name: "API", slug: `api-${randomBytes(4).toString("hex")}` } });
    const updated = keep(await updateRegistry(team.actor, dto!.id, { name: "acme-reg", password: "", appIds: [app.id] }));
    expect(updated).toMatchObject({ name: "acme-reg", allApps: false, appIds: [app.id] });
    const after = await prisma.registryCredential.findUniqueOrThrow({ where: { id: dto!.id } });
    expect(after.secretCiphertext).toBe(before.secretCiphertext);
    // Only alias and apps changed: no connection test ran.
    expect(after.lastTestedAt?.getTime()).toBe(before.lastTestedAt?.getTime());

    // A wrong new password is refused by the test and nothing changes.
    await expect(updateRegistry(team.actor, dto!.id, { password: "not-the-password" })).rejects.toThrow(/Wrong credentials/);
    expect((await prisma.registryCredential.findUniqueOrThrow({ where: { id: dto!.id } })).secretCiphertext).toBe(before.secretCiphertext);

    // The right password again is re-encrypted (new nonce) and audited as replaced, never shown.
    keep(await updateRegistry(team.actor, dto!.id, { password: PASSWORD, appIds: null }));
    const rotated = await prisma.registryCredential.findUniqueOrThrow({ where: { id: dto!.id } });
    expect(rotated.secretCiphertext).not.toBe(before.secretCiphertext);
    expect(decryptSecret(rotated.secretCiphertext)).toBe(PASSWORD);
    const events = keep(await prisma.auditEvent.findMany({ where: { targetId: dto!.id, action: { not: "registry.test" } }, orderBy: { time: "asc" } }));
    expect(events.map((e) => e.action)).toEqual(["registry.create", "registry.update", "registry.update"]);
    expect(events[1]!.after).toMatchObject({ name: "acme-reg", appIds: [app.id] });
    expect(events[2]!.after).toMatchObject({ replaced: "password", appIds: "all" });
  });

  it("tests the form's values, with the stored secret when editing with a blank password", async () => {
    const [dto] = await listRegistries(team.actor);
    expect((await testRegistryDraft(team.actor, { existingId: dto!.id, password: "" })).message).toBe("Connected.");
    expect(
      (await testRegistryDraft(team.actor, { provider: "other", endpoint: basic.host, username: "vendor", password: "nope-nope", allowHttp: true })).status,
    ).toBe("unauthorized");
  });
});

describe("token (Bearer) auth", () => {
  it("connects through the token flow and reuses cached tokens", async () => {
    clearUpstreamTokenCache();
    const requests = token.tokenServer!.requests;
    const start = requests.length;
    const dto = keep(
      await createRegistry(team.actor, {
        provider: "other",
        endpoint: token.host,
        name: "tok",
        username: "vendor",
        password: TOKEN_PASSWORD,
        allowHttp: true,
      }),
    );
    expect(dto.lastTestMessage).toBe("Connected.");
    expect(keep(await testSavedRegistry(team.actor, dto.id, { image: "acme/api:1.0" })).message).toBe("Connected.");
    const afterFirst = requests.length - start;
    expect(afterFirst).toBe(2); // one for /v2/, one for repository:acme/api:pull
    expect(keep(await testSavedRegistry(team.actor, dto.id, { image: "acme/api:1.0" })).message).toBe("Connected.");
    expect(requests.length - start).toBe(afterFirst);
    expect(requests.slice(start).every((r) => r.username === "vendor" && r.status === 200)).toBe(true);
  });

  it("says when the credentials lack pull access, and when they are wrong", async () => {
    const dto = (await listRegistries(team.actor)).find((r) => r.name === "tok")!;
    expect(keep(await testSavedRegistry(team.actor, dto.id, { image: "acme/private:1.0" }))).toEqual({
      ok: false,
      status: "forbidden",
      message: "These credentials lack pull access to acme/private.",
    });
    await expect(
      createRegistry(other.actor, { provider: "other", endpoint: token.host, name: "tok", username: "vendor", password: "bad-bad-bad", allowHttp: true }),
    ).rejects.toThrow("Wrong credentials: the registry rejected the username or password.");
  });
});

describe("transport failures", () => {
  it("says when the host is unreachable", async () => {
    const port = await freePort();
    const err = await createRegistry(other.actor, {
      provider: "other",
      endpoint: `127.0.0.1:${port}`,
      name: "gone",
      username: "vendor",
      password: PASSWORD,
      allowHttp: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionFailedError);
    expect((err as Error).message).toBe("Host unreachable: could not reach a registry at this address.");
  });

  it("says when the host accepts connections but never answers", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    const host = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const started = Date.now();
      const result = await testRegistryConnection(
        { provider: "other", endpoint: host, username: "vendor", secret: PASSWORD, allowHttp: true },
        { timeoutMs: 1000 },
      );
      expect(result).toEqual({ ok: false, status: "unreachable", message: "Host unreachable: could not reach a registry at this address." });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("refuses a self-signed certificate unless plain HTTP / insecure is allowed", async () => {
    const tls = await startRegistry({ auth: "htpasswd", users: { vendor: PASSWORD }, tls: true });
    try {
      const input = { provider: "other" as const, endpoint: tls.host, name: "tls", username: "vendor", password: PASSWORD };
      await expect(createRegistry(other.actor, input)).rejects.toThrow(`TLS error: the certificate of ${tls.host} is self-signed.`);
      const dto = keep(await createRegistry(other.actor, { ...input, allowHttp: true }));
      expect(dto).toMatchObject({ allowHttp: true, lastTestMessage: "Connected." });
      await deleteRegistry(other.actor, dto.id);
    } finally {
      await tls.stop();
    }
  });

  it("says when the host is not a registry", async () => {
    const server = http.createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<p>hello</p>"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      await expect(
        createRegistry(other.actor, { provider: "other", endpoint: host, name: "web", username: "vendor", password: PASSWORD, allowHttp: true }),
      ).rejects.toThrow(`Not a container registry: ${host} answered GET /v2/ with HTTP 404.`);
    } finally {
      server.close();
    }
  });
});

describe("validation, conflicts and access", () => {
  it("rejects bad aliases, endpoints, provider fields and other teams' apps", async () => {
    const base = { provider: "other" as const, endpoint: basic.host, name: "valid", username: "vendor", password: PASSWORD, skipValidation: true };
    for (const name of ["a.b", "a:b", "localhost", "-x", "x".repeat(64)]) {
      const err = await createRegistry(other.actor, { ...base, name }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path)).toContain("name");
    }
    const bad = await invalid(createRegistry(other.actor, { ...base, endpoint: "not a host" }));
    expect(bad.issues.map((i) => i.path)).toEqual(["endpoint"]);
    const ecr = await invalid(createRegistry(other.actor, {
      provider: "ecr",
      endpoint: "example.com",
      username: "lower",
      password: "x",
    }));
    expect(ecr.issues.map((i) => i.path).sort()).toEqual(["endpoint", "username"]);
    const hub = await invalid(createRegistry(other.actor, {
      provider: "dockerhub",
      username: "u",
      password: "p",
      allowHttp: true,
    } as never));
    expect(hub.issues.map((i) => i.path)).toEqual(["allowHttp"]);
    const gar = await invalid(createRegistry(other.actor, {
      provider: "gar",
      endpoint: "europe-west1-docker.pkg.dev",
      password: "{not json",
    }));
    expect(gar.issues.map((i) => i.path)).toEqual(["password"]);
    expect(JSON.stringify(gar)).not.toContain("{not json");
    const appOfA = await prisma.app.create({ data: { teamId: team.teamId, name: "A app", slug: `a-${randomBytes(4).toString("hex")}` } });
    const foreign = await invalid(createRegistry(other.actor, { ...base, appIds: [appOfA.id] }));
    expect(foreign.issues.map((i) => i.path)).toEqual(["appIds"]);
  });

  it("stores provider-specific fields: fixed endpoints, ECR and Google JSON keys", async () => {
    const hub = keep(
      await createRegistry(other.actor, { provider: "dockerhub", username: "acme", password: "dckr_pat_x", skipValidation: true }),
    );
    expect(hub.endpoint).toBe("index.docker.io");
    const ecr = keep(
      await createRegistry(other.actor, {
        provider: "ecr",
        endpoint: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        username: "AKIAIOSFODNN7EXAMPLE",
        password: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        skipValidation: true,
      }),
    );
    expect((await prisma.registryCredential.findUniqueOrThrow({ where: { id: ecr.id } })).authType).toBe("aws");
    const key = JSON.stringify({ type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----\nabc", client_email: "x@y.iam" });
    const gar = keep(
      await createRegistry(other.actor, {
        provider: "gar",
        endpoint: "europe-west1-docker.pkg.dev",
        password: key,
        skipValidation: true,
      }),
    );
    expect(gar.username).toBe("_json_key");
    expect(JSON.stringify(gar)).not.toContain("private_key");
    for (const id of [hub.id, ecr.id, gar.id]) await deleteRegistry(other.actor, id);
  });

  it("requires an alias for a host:port used by apps, and says why", async () => {
    const base = { provider: "other" as const, username: "vendor", password: PASSWORD, skipValidation: true };
    const err = await invalid(createRegistry(other.actor, { ...base, endpoint: "registry.example.com:5000" }));
    expect(err.issues).toEqual([{ path: "name", message: expect.stringMatching(/registry\.example\.com:5000 cannot appear in an image path .*Give it an alias/) }]);
    await expect(invalid(createRegistry(other.actor, { ...base, endpoint: "[2606:4700::1111]:5000" }))).resolves.toMatchObject({ issues: [{ path: "name" }] });
    // A host without a port is a valid path component; a registry no app uses may wait for its alias.
    const plain = await createRegistry(other.actor, { ...base, endpoint: "plain.example.com" });
    const parked = await createRegistry(other.actor, { ...base, endpoint: "parked.example.com:5000", appIds: [] });
    // ...until an app may use it.
    const patched = await invalid(updateRegistry(other.actor, parked.id, { appIds: null }));
    expect(patched.issues.map((i) => i.path)).toEqual(["name"]);
    for (const id of [plain.id, parked.id]) await deleteRegistry(other.actor, id);
  });

  it("keeps aliases and endpoints unique per team", async () => {
    const base = { provider: "other" as const, username: "vendor", password: PASSWORD, skipValidation: true };
    const first = await createRegistry(other.actor, { ...base, endpoint: "r1.example.com", name: "shared" });
    await expect(createRegistry(other.actor, { ...base, endpoint: "r2.example.com", name: "shared" })).rejects.toBeInstanceOf(ConflictError);
    await expect(createRegistry(other.actor, { ...base, endpoint: "r1.example.com" })).rejects.toBeInstanceOf(ConflictError);
    // Another team may use the same alias and endpoint.
    const elsewhere = await createRegistry(team.actor, { ...base, endpoint: "r1.example.com", name: "shared" });
    await deleteRegistry(team.actor, elsewhere.id);
    await deleteRegistry(other.actor, first.id);
  });

  it("hides other teams' registries and keeps members read-only", async () => {
    const [dto] = await listRegistries(team.actor);
    // Without a registry every call below would reject for a missing id, whatever the team scoping.
    expect(dto, "the team has a registry from the tests above").toBeDefined();
    await expect(getRegistry(other.actor, dto!.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateRegistry(other.actor, dto!.id, { name: "mine" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(testSavedRegistry(other.actor, dto!.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteRegistry(other.actor, dto!.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listRegistries(other.actor)).map((r) => r.id)).not.toContain(dto!.id);
    const member = { ...team.actor, role: "member" as const };
    expect((await listRegistries(member)).map((r) => r.id)).toContain(dto!.id);
    await expect(updateRegistry(member, dto!.id, { name: "x" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(deleteRegistry(member, dto!.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      createRegistry(member, { provider: "other", endpoint: "m.example.com", username: "u", password: "p", skipValidation: true }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    // The connection test makes outgoing connections with a typed (or the stored) secret: writers only,
    // refused before anything is dialled or audited.
    const testsBefore = await prisma.auditEvent.count({ where: { teamId: team.teamId, action: "registry.test" } });
    await expect(
      testRegistryDraft(member, { provider: "other", endpoint: basic.host, username: "vendor", password: PASSWORD, allowHttp: true }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(testRegistryDraft(member, { existingId: dto!.id, password: "" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(testSavedRegistry(member, dto!.id)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await prisma.auditEvent.count({ where: { teamId: team.teamId, action: "registry.test" } })).toBe(testsBefore);
  });

  it("deletes with an audit event", async () => {
    const dto = await createRegistry(other.actor, {
      provider: "quay",
      username: "robot",
      password: "robot-token",
      skipValidation: true,
    });
    keep(await deleteRegistry(other.actor, dto.id));
    expect(await prisma.registryCredential.count({ where: { id: dto.id } })).toBe(0);
    const events = keep(await prisma.auditEvent.findMany({ where: { targetId: dto.id }, orderBy: { time: "asc" } }));
    expect(events.map((e) => e.action)).toEqual(["registry.create", "registry.delete"]);
    expect(events[1]!.before).toMatchObject({ provider: "quay", endpoint: "quay.io", username: "robot" });
  });
});

describe("key rotation", () => {
  it("re-encrypts every registry secret with the new key", async () => {
    const oldKey = process.env.PULLGATE_SECRET_KEY!;
    const newKey = randomBytes(32).toString("base64");
    const rotatedRing = loadKeyring({ PULLGATE_SECRET_KEY: newKey, PULLGATE_SECRET_KEY_PREVIOUS: oldKey });
    const mine = { teamId: { in: [team.teamId, other.teamId] } };
    const count = await prisma.registryCredential.count({ where: mine });
    const result = await reencryptRegistrySecrets(prisma, rotatedRing);
    expect(count).toBeGreaterThan(0);
    // Rows of other suites (sealed with their own test key) are reported, not fatal.
    expect(result.reencrypted).toBe(result.total - result.undecryptable.length);
    expect(result.reencrypted).toBeGreaterThanOrEqual(count);
    expect(result.keyVersion).toBe(2);
    const rows = await prisma.registryCredential.findMany({ where: mine });
    for (const row of rows) {
      expect(row.secretCiphertext.startsWith(`v2.${rotatedRing[0]!.id}:`)).toBe(true);
      expect(row.secretKeyVersion).toBe(2);
    }
    const newOnly = loadKeyring({ PULLGATE_SECRET_KEY: newKey });
    const basicRow = rows.find((r) => r.endpoint === basic.host && r.teamId === team.teamId)!;
    expect(decryptSecret(basicRow.secretCiphertext, newOnly)).toBe(PASSWORD);
    expect((await reencryptRegistrySecrets(prisma, rotatedRing)).reencrypted).toBe(0);
    // Back to the process key so later suites can decrypt.
    await reencryptRegistrySecrets(prisma, loadKeyring({ PULLGATE_SECRET_KEY: oldKey, PULLGATE_SECRET_KEY_PREVIOUS: newKey }));
  });
});

describe("secrets never handed out", () => {
  it("appear in no DTO, test result or audit event of this suite", async () => {
    const audit = await prisma.auditEvent.findMany({ where: { teamId: { in: [team.teamId, other.teamId] } } });
    const haystack = [...seen, JSON.stringify(audit)].join("\n");
    expect(seen.length).toBeGreaterThan(10);
    for (const secret of [PASSWORD, TOKEN_PASSWORD, "wrong-password-123", "dckr_pat_x", "robot-token", "wJalrXUtnFEMI"]) {
      expect(haystack).not.toContain(secret);
    }
    expect(haystack).not.toContain("secretCiphertext");
  });
});
