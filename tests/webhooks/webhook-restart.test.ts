import { once } from "node:events";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import * as webhooksRoute from "@/app/api/v1/webhooks/route";
import { prisma } from "@/lib/db/client";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { call, makeTeam, type TeamFixture } from "../api/fixtures";
import { startReceiver, type Receiver } from "./receiver";

// The queue is in Postgres: a proxy process killed (SIGKILL) between two
// attempts of a delivery, and events recorded while no proxy runs, are all
// delivered by the next proxy process.

process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.1/32";

let team: TeamFixture;
let appId: string;
let receiver: Receiver;
const proxies: ProxyProcess[] = [];

const start = async () => {
  const proxy = await startProxyProcess({
    PULLGATE_WEBHOOK_RETRY_BASE: "1",
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
    PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.1/32",
  });
  proxies.push(proxy);
  return proxy;
};

beforeAll(async () => {
  team = await makeTeam("Hooks restart");
  appId = (await call(appsRoute.POST, "POST", { token: team.token, body: { name: "Restart", slug: `restart-${randomUUID().slice(0, 8)}` } })).json.app.id;
  receiver = await startReceiver();
});

afterAll(async () => {
  for (const p of proxies) await p.stop().catch(() => {});
  await receiver?.close();
});

describe("webhook queue across restarts", () => {
  it("a proxy killed between attempts loses nothing; events recorded while it is down are delivered after it starts", async () => {
    const created = await call(webhooksRoute.POST, "POST", { token: team.token, body: { url: receiver.url, events: ["license.created"] } });
    expect(created.status).toBe(201);
    const secret = created.json.secret as string;
    receiver.respond([500]);

    const first = await start();
    await call(customersRoute.POST, "POST", { token: team.token, body: { appId, name: "Before the crash" } });
    await receiver.waitFor(1);
    // Between attempts: the failure is recorded and the retry is a second away.
    const endpointId = created.json.webhook.id as string;
    for (let i = 0; (await prisma.webhookDelivery.findFirst({ where: { endpointId, status: "pending", attempts: 1 } })) === null; i++) {
      if (i > 200) throw new Error("the failed attempt was not recorded");
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill("SIGKILL");
    await once(first.child, "exit");
    const pending = await prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: created.json.webhook.id } });
    expect(pending).toMatchObject({ status: "pending", attempts: 1, responseStatus: 500 });

    // While no proxy runs.
    await call(customersRoute.POST, "POST", { token: team.token, body: { appId, name: "While down" } });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.received).toHaveLength(1);

    await start();
    await receiver.waitFor(3, 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.received).toHaveLength(3);
    const messages = receiver.received.map((r) => ({
      id: r.headers["webhook-id"],
      payload: new Webhook(secret).verify(r.body, {
        "webhook-id": String(r.headers["webhook-id"]),
        "webhook-timestamp": String(r.headers["webhook-timestamp"]),
        "webhook-signature": String(r.headers["webhook-signature"]),
      }) as { data: { customer: { name: string } } },
    }));
    expect(messages[1]!.id === messages[0]!.id || messages[2]!.id === messages[0]!.id).toBe(true);
    expect(messages.map((m) => m.payload.data.customer.name).sort()).toEqual(["Before the crash", "Before the crash", "While down"]);
    const rows = await prisma.webhookDelivery.findMany({ where: { endpointId: created.json.webhook.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ["succeeded", 2],
      ["succeeded", 1],
    ]);
  });
});
