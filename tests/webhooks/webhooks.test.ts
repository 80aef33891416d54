import { randomBytes, randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import * as customerRoute from "@/app/api/v1/customers/[id]/route";
import * as archiveRoute from "@/app/api/v1/customers/[id]/archive/route";
import * as webhooksRoute from "@/app/api/v1/webhooks/route";
import * as webhookRoute from "@/app/api/v1/webhooks/[id]/route";
import * as testRoute from "@/app/api/v1/webhooks/[id]/test/route";
import * as deliveriesRoute from "@/app/api/v1/webhooks/[id]/deliveries/route";
import * as redeliverRoute from "@/app/api/v1/webhooks/[id]/deliveries/[deliveryId]/redeliver/route";
import { prisma } from "@/lib/db/client";
import { startWebhookWorker } from "@/lib/webhooks/webhook-worker";
import { emitExpiryEvents } from "@/lib/webhooks/expiry-events";
import { claimDeliveries } from "@/lib/webhooks/delivery-queue";
import { PullEventQueue, type PullEventInput } from "@/proxy/pull-events";
import { call, makeMember, makeTeam, type TeamFixture } from "../api/fixtures";
import { startReceiver, type Receiver } from "./receiver";

// Webhooks end to end against a receiver on loopback: signatures checked
// with the standardwebhooks package, each event once, retries with
// back-off, and the outbound policy on the endpoint's address.

process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
const ALLOW_LOOPBACK = "127.0.0.1/32";
process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = ALLOW_LOOPBACK;
const DAY = 86_400_000;
const silent = pino({ level: "silent" });

let a: TeamFixture;
let b: TeamFixture;
let appId: string;
let receiver: Receiver;
const workers: { stop(): Promise<void> }[] = [];

function startWorker(retryBaseMs = 100) {
  const worker = startWebhookWorker({ prisma, log: silent, pollMs: 50, retry: { baseDelayMs: retryBaseMs }, expiryScanMs: 3600_000, attemptTimeoutMs: 2_000 });
  workers.push(worker);
  return worker;
}

async function addEndpoint(team: TeamFixture, url: string, events: string[]) {
  const res = await call(webhooksRoute.POST, "POST", { token: team.token, body: { url, events } });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return { id: res.json.webhook.id as string, secret: res.json.secret as string };
}

async function queueEmpty(timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await prisma.webhookDelivery.count({ where: { status: { in: ["pending", "delivering"] } } })) > 0) {
    if (Date.now() > deadline) throw new Error("webhook queue did not drain");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function verified(secret: string, r: { headers: Record<string, unknown>; body: string }) {
  const headers = {
    "webhook-id": String(r.headers["webhook-id"]),
    "webhook-timestamp": String(r.headers["webhook-timestamp"]),
    "webhook-signature": String(r.headers["webhook-signature"]),
  };
  return new Webhook(secret).verify(r.body, headers) as { type: string; timestamp: string; data: Record<string, unknown> };
}

beforeAll(async () => {
  a = await makeTeam("Hooks A");
  b = await makeTeam("Hooks B");
  appId = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Hooked", slug: `hooked-${randomUUID().slice(0, 8)}` } })).json.app.id;
  receiver = await startReceiver();
});

afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = ALLOW_LOOPBACK;
  await prisma.webhookEndpoint.deleteMany({ where: { teamId: { in: [a.teamId, b.teamId] } } });
  receiver.received.length = 0;
  receiver.respond([]);
});

afterAll(async () => {
  await receiver?.close();
});

describe("webhook endpoints (API)", () => {
  it("returns the whsec_ secret once, stores it sealed, and validates input field by field", async () => {
    const { id, secret } = await addEndpoint(a, receiver.url, ["license.created", "license.updated", "license.created"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const got = await call(webhookRoute.GET, "GET", { token: a.token, params: { id } });
    expect(got.json.webhook).toEqual({ id, url: receiver.url, events: ["license.created", "license.updated"], createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(got.text).not.toContain(secret.slice(6));
    const listed = await call(webhooksRoute.GET, "GET", { token: a.token });
    expect(listed.text).not.toContain(secret.slice(6));
    const row = await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(row.secretCiphertext).not.toContain(secret.slice(6));

    const bad = await call(webhooksRoute.POST, "POST", { token: a.token, body: { url: "ftp://example.com/x", events: ["license.nope"] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues).toEqual(
      expect.arrayContaining([
        { path: "url", message: "Must be an http:// or https:// URL." },
        { path: "events.0", message: expect.stringContaining("Must be one of") },
      ]),
    );
    expect((await call(webhooksRoute.POST, "POST", { token: a.token, body: { url: receiver.url, events: [] } })).json.error.issues).toEqual([
      { path: "events", message: "Choose at least one event type." },
    ]);

    const patched = await call(webhookRoute.PATCH, "PATCH", { token: a.token, params: { id }, body: { events: ["pull.denied"] } });
    expect(patched.status).toBe(200);
    expect(patched.json.webhook.events).toEqual(["pull.denied"]);
    const member = await makeMember(a.teamId);
    expect((await call(webhooksRoute.POST, "POST", { token: member.token, body: { url: receiver.url, events: ["pull.denied"] } })).status).toBe(403);
    expect((await call(webhookRoute.DELETE, "DELETE", { token: a.token, params: { id } })).status).toBe(204);
    expect((await call(webhookRoute.GET, "GET", { token: a.token, params: { id } })).status).toBe(404);
  });

  it("team B can neither see nor change team A's endpoints or deliveries", async () => {
    const { id } = await addEndpoint(a, receiver.url, ["license.created"]);
    expect((await call(webhooksRoute.GET, "GET", { token: b.token })).json.webhooks).toEqual([]);
    for (const [route, method, extra] of [
      [webhookRoute.GET, "GET", {}],
      [webhookRoute.PATCH, "PATCH", { body: { url: "https://evil.example.com/" } }],
      [webhookRoute.DELETE, "DELETE", {}],
      [testRoute.POST, "POST", {}],
      [deliveriesRoute.GET, "GET", {}],
    ] as const) {
      expect((await call(route, method, { token: b.token, params: { id }, ...extra })).status).toBe(404);
    }
    expect((await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } })).url).toBe(receiver.url);
  });

  it("refuses a URL to a private or loopback address unless PULLGATE_UPSTREAM_ALLOW_CIDRS allows it", async () => {
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "";
    for (const url of [receiver.url, "http://10.1.2.3/hook", "http://169.254.169.254/latest", "http://[::1]:8080/", "http://localhost/x"]) {
      const res = await call(webhooksRoute.POST, "POST", { token: a.token, body: { url, events: ["license.created"] } });
      expect(res.status, url).toBe(400);
      expect(res.json.error.issues[0].path).toBe("url");
      expect(res.json.error.issues[0].message).toMatch(/private|loopback|link-local|range/);
    }
    expect(await prisma.webhookEndpoint.count({ where: { teamId: a.teamId } })).toBe(0);
  });

  it("checks the address again at delivery: an endpoint saved while allowed gets nothing once it is not", async () => {
    const { id } = await addEndpoint(a, receiver.url, ["license.created"]);
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "";
    await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Refused delivery" } });
    startWorker(60_000);
    const deadline = Date.now() + 10_000;
    let delivery;
    while (Date.now() < deadline) {
      delivery = await prisma.webhookDelivery.findFirst({ where: { endpointId: id } });
      if (delivery?.attempts && delivery.status === "pending") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, responseStatus: null });
    expect(delivery!.lastError).toMatch(/webhook address 127\.0\.0\.1 is in a private range|loopback/);
    expect(receiver.received).toHaveLength(0);
  });
});

describe("webhook deliveries", () => {
  it("delivers each event once, signed (Standard Webhooks), with the changed fields on license.updated", async () => {
    const { secret } = await addEndpoint(a, receiver.url, [
      "license.created",
      "license.updated",
      "license.expiring",
      "license.expired",
      "customer.first_pull",
      "pull.denied",
    ]);
    // Team B's events never reach A's endpoint.
    const bApp = (await call(appsRoute.POST, "POST", { token: b.token, body: { name: "B", slug: `b-${randomUUID().slice(0, 8)}` } })).json.app.id;
    await call(customersRoute.POST, "POST", { token: b.token, body: { appId: bApp, name: "Not A's" } });

    const created = (await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Hooli", entitlements: { seats: 5 } } })).json.customer;
    await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: created.id }, body: { entitlements: { seats: 8 }, name: "Hooli Inc" } });
    // A PATCH that changes nothing sends nothing.
    await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: created.id }, body: { entitlements: { seats: 8 } } });
    const archived = (await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Archived" } })).json.customer;
    expect((await call(archiveRoute.POST, "POST", { token: a.token, params: { id: archived.id } })).status).toBe(200);
    await call(archiveRoute.POST, "POST", { token: a.token, params: { id: archived.id } });
    const in10 = (await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Ten days", expiresAt: new Date(Date.now() + 10 * DAY).toISOString() } })).json.customer;
    const in2 = (await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Two days", expiresAt: new Date(Date.now() + 2 * DAY).toISOString() } })).json.customer;
    const gone = (await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Gone", expiresAt: new Date(Date.now() + DAY).toISOString() } })).json.customer;
    await prisma.license.update({ where: { customerId: gone.id }, data: { expiresAt: new Date(Date.now() - 3600_000) } });
    // Two scans: the second finds nothing new.
    await emitExpiryEvents(prisma);
    await emitExpiryEvents(prisma);

    // Pulls, recorded as the proxy does: the first successful one, then refusals in a loop (rate-limited to one event).
    const queue = new PullEventQueue({ prisma, logger: silent });
    const pull = (overrides: Partial<PullEventInput>): PullEventInput => ({
      teamId: a.teamId,
      appId,
      customerId: created.id,
      licenseId: created.license.licenseId,
      action: "manifest",
      method: "GET",
      repository: "proxy/hooked/reg/acme/api",
      reference: "1.0",
      digest: null,
      status: 200,
      bytes: 0,
      cacheHit: false,
      clientIp: "203.0.113.5",
      userAgent: "docker",
      durationMs: 3,
      isPull: true,
      tag: "1.0",
      time: new Date(),
      ...overrides,
    });
    queue.record(pull({}));
    await queue.flush();
    queue.record(pull({}));
    await queue.flush();
    for (let i = 0; i < 5; i++) queue.record(pull({ customerId: gone.id, status: 403, reason: "expired" }));
    await queue.flush();
    queue.record(pull({ customerId: gone.id, status: 403, reason: "expired" }));
    await queue.flush();

    startWorker();
    await queueEmpty();
    const bodies = receiver.received.map((r) => verified(secret, r));
    const ids = receiver.received.map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(ids.length);
    const byType = (type: string) => bodies.filter((p) => p.type === type);
    expect(bodies.map((p) => p.type).sort()).toEqual(
      [
        "customer.first_pull",
        "license.created", // Hooli
        "license.created", // Ten days
        "license.created", // Two days
        "license.created", // Gone
        "license.created", // Archived
        "license.expired",
        "license.expiring",
        "license.expiring",
        "license.updated",
        "license.updated", // archived

        "pull.denied",
      ].sort(),
    );
    expect(byType("license.updated").find((p) => (p.data.customer as { id: string }).id === archived.id)!.data).toMatchObject({
      changes: { archived: { before: false, after: true } },
      license: { status: "archived" },
    });
    expect(byType("license.updated").find((p) => (p.data.customer as { id: string }).id === created.id)!.data).toMatchObject({
      customer: { id: created.id, name: "Hooli Inc" },
      changes: { name: { before: "Hooli", after: "Hooli Inc" }, entitlements: { before: { seats: 5 }, after: { seats: 8 } } },
      license: { entitlements: { seats: 8 } },
    });
    expect(byType("license.expiring").map((p) => [p.data.customer, p.data.daysBefore])).toEqual(
      expect.arrayContaining([
        [expect.objectContaining({ id: in10.id }), 14],
        [expect.objectContaining({ id: in2.id }), 3],
      ]),
    );
    expect(byType("license.expired")[0]!.data.customer).toMatchObject({ id: gone.id });
    expect(byType("customer.first_pull")[0]!.data).toMatchObject({ customer: { id: created.id }, tag: "1.0" });
    expect(byType("pull.denied")[0]!.data).toMatchObject({ customer: { id: gone.id }, reason: "expired" });
    // The license ID (the customer's registry password) is never sent.
    expect(receiver.received.map((r) => r.body).join("")).not.toContain(created.license.licenseId);
    // A signature made with another secret is refused by the receiver's check.
    expect(() => verified(`whsec_${randomBytes(32).toString("base64")}`, receiver.received[0]!)).toThrow();
  });

  it("a receiver answering 500 three times gets the event on the fourth attempt, with growing waits", async () => {
    const { id, secret } = await addEndpoint(a, receiver.url, ["license.created"]);
    receiver.respond([500, 500, 500]);
    startWorker(150);
    await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Flaky receiver" } });
    const got = await receiver.waitFor(4);
    await queueEmpty();
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(1);
    for (const r of got) expect(verified(secret, r).type).toBe("license.created");
    const gaps = got.slice(1).map((r, i) => r.at - got[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(150);
    expect(gaps[1]).toBeGreaterThanOrEqual(300);
    expect(gaps[2]).toBeGreaterThanOrEqual(600);
    const log = await call(deliveriesRoute.GET, "GET", { token: a.token, params: { id } });
    expect(log.json.deliveries).toEqual([expect.objectContaining({ eventType: "license.created", status: "succeeded", attempts: 4, responseStatus: 200, lastError: null })]);
  });

  it("gives up after the 24-hour window and says so in the log", async () => {
    const { id } = await addEndpoint(a, receiver.url, ["license.created"]);
    receiver.respond([503]);
    await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Old event" } });
    // Queued 24 h ago: the failed attempt has no time left for another.
    await prisma.webhookDelivery.updateMany({ where: { endpointId: id }, data: { createdAt: new Date(Date.now() - DAY + 50) } });
    startWorker(1_000);
    await queueEmpty();
    const log = await call(deliveriesRoute.GET, "GET", { token: a.token, params: { id } });
    expect(log.json.deliveries[0]).toMatchObject({ status: "failed", attempts: 1, responseStatus: 503, lastError: "receiver answered HTTP 503", nextAttemptAt: null });
  });

  it("send test event and redeliver: the redelivery repeats the same message", async () => {
    const { id, secret } = await addEndpoint(a, receiver.url, ["license.created"]);
    startWorker();
    const test = await call(testRoute.POST, "POST", { token: a.token, params: { id } });
    expect(test.status).toBe(202);
    await receiver.waitFor(1);
    expect(verified(secret, receiver.received[0]!).type).toBe("webhook.test");
    const again = await call(redeliverRoute.POST, "POST", { token: a.token, params: { id, deliveryId: test.json.delivery.id } });
    expect(again.status).toBe(202);
    await receiver.waitFor(2);
    expect(receiver.received[1]!.headers["webhook-id"]).toBe(receiver.received[0]!.headers["webhook-id"]);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    expect((await call(redeliverRoute.POST, "POST", { token: b.token, params: { id, deliveryId: test.json.delivery.id } })).status).toBe(404);
    await queueEmpty();
    const log = await call(deliveriesRoute.GET, "GET", { token: a.token, params: { id } });
    expect(log.json.deliveries.map((d: { status: string }) => d.status)).toEqual(["succeeded", "succeeded"]);
  });

  it("a receiver that never answers times out without holding the worker", async () => {
    const http = await import("node:http");
    const silentServer = http.createServer(() => {});
    await new Promise<void>((resolve) => silentServer.listen(0, "127.0.0.1", resolve));
    const port = (silentServer.address() as { port: number }).port;
    try {
      const slow = await addEndpoint(a, `http://127.0.0.1:${port}/`, ["license.created"]);
      const fast = await addEndpoint(a, receiver.url, ["license.created"]);
      startWorker(60_000);
      await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Slow receiver" } });
      await receiver.waitFor(1);
      const deadline = Date.now() + 10_000;
      let row;
      while (Date.now() < deadline) {
        row = await prisma.webhookDelivery.findFirst({ where: { endpointId: slow.id } });
        if (row?.lastError) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(row).toMatchObject({ status: "pending", lastError: "timed out", responseStatus: null });
      expect(await prisma.webhookDelivery.findFirst({ where: { endpointId: fast.id } })).toMatchObject({ status: "succeeded" });
    } finally {
      silentServer.closeAllConnections();
      silentServer.close();
    }
  });

  it("workers claim disjoint deliveries, and one claimed by a worker that died is taken again after its lock", async () => {
    const { id } = await addEndpoint(a, receiver.url, ["license.created"]);
    for (let i = 0; i < 6; i++) await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: `Claim ${i}` } });
    const [one, two] = await Promise.all([claimDeliveries(prisma, 4, 300), claimDeliveries(prisma, 4, 300)]);
    const claimed = [...one, ...two].map((c) => c.id);
    expect(claimed).toHaveLength(6);
    expect(new Set(claimed).size).toBe(6);
    // Those claimers "died": nothing is delivered until the locks run out, then everything is.
    startWorker();
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.received).toHaveLength(0);
    await receiver.waitFor(6);
    await queueEmpty();
    const rows = await prisma.webhookDelivery.findMany({ where: { endpointId: id } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array(6).fill(["succeeded", 2]));
  });

  it("a claim skips rows another worker holds instead of waiting for them (SKIP LOCKED)", async () => {
    const { id } = await addEndpoint(a, receiver.url, ["license.created"]);
    for (let i = 0; i < 4; i++) await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: `Held ${i}` } });
    const rows = await prisma.webhookDelivery.findMany({ where: { endpointId: id }, orderBy: { id: "asc" } });
    const held = rows.slice(0, 2).map((r) => r.id);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // Another worker's transaction holds two rows.
    const holder = prisma.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe(`SELECT "id" FROM "WebhookDelivery" WHERE "id" = ANY($1::text[]) FOR UPDATE`, held);
        locked();
        await released;
      },
      { timeout: 20_000 },
    );
    await isLocked;
    try {
      const claim = claimDeliveries(prisma, 10, 60_000);
      const timeout = new Promise<"blocked">((r) => setTimeout(() => r("blocked"), 3_000));
      const claimed = await Promise.race([claim, timeout]);
      expect(claimed).not.toBe("blocked");
      expect((claimed as { id: string }[]).map((c) => c.id).sort()).toEqual(rows.slice(2).map((r) => r.id).sort());
    } finally {
      release();
      await holder;
    }
  });
});
