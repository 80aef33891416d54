import dgram from "node:dgram";
import http from "node:http";
import type net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Agent, request } from "undici";
import { createOutboundConnector, outboundHttpAgent } from "@/lib/outbound/outbound-connector";
import { OutboundPolicy, OutboundRefusedError, parseCidr } from "@/lib/outbound/outbound-policy";
import { ipLiteral, outboundLookup, resolveAllowed } from "@/lib/outbound/resolve-allowed";
import { startDnsServer, type TestDnsServer } from "@/tests/helpers/dns-server";

// The outbound policy where sockets are opened, against real loopback
// servers: every spelling of a refused address and every name that resolves
// to one is refused before a single byte reaches the server, and the allow
// list admits exactly its CIDRs.

const REFUSAL = "is in a private range; set PULLGATE_UPSTREAM_ALLOW_CIDRS to allow it";

type CountingServer = { port: number; connections: number; close(): Promise<void> };

async function countingServer(address: string, port = 0): Promise<CountingServer> {
  const state = { connections: 0 };
  const server = http.createServer((_req, res) => res.end("internal data"));
  server.on("connection", () => state.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const savedAllow = process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
const savedDns = process.env.PULLGATE_DNS_SERVERS;
let dns: TestDnsServer;
let internal: CountingServer; // 127.0.0.3: never allowed in this file
let allowed: CountingServer; // 127.0.0.2, same port: allowed when the test says so
let v6: CountingServer | null = null; // ::1, same port, when the machine has IPv6 loopback
let agent: Agent;

beforeAll(async () => {
  dns = await startDnsServer();
  internal = await countingServer("127.0.0.3");
  allowed = await countingServer("127.0.0.2", internal.port);
  v6 = await countingServer("::1", internal.port).catch(() => null);
  dns.zone.set("internal.test", { a: ["127.0.0.3"] });
  dns.zone.set("allowed.test", { a: ["127.0.0.2"] });
  dns.zone.set("v6.test", { aaaa: ["::1"] });
  dns.zone.set("mapped.test", { aaaa: ["::ffff:127.0.0.3"] });
  dns.zone.set("mixed.test", { a: ["127.0.0.3", "93.184.216.34"] });
  dns.zone.set("public.test", { a: ["93.184.216.34"], aaaa: ["2606:2800:220:1:248:1893:25c8:1946"] });
  process.env.PULLGATE_DNS_SERVERS = dns.address;
  agent = new Agent({ connect: createOutboundConnector({ timeout: 5_000 }) });
});

afterEach(() => {
  delete process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
});

afterAll(async () => {
  await agent?.close();
  await Promise.all([internal?.close(), allowed?.close(), v6?.close(), dns?.close()]);
  if (savedAllow === undefined) delete process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
  else process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = savedAllow;
  if (savedDns === undefined) delete process.env.PULLGATE_DNS_SERVERS;
  else process.env.PULLGATE_DNS_SERVERS = savedDns;
});

async function get(host: string): Promise<{ status: number; body: string } | { code: string; message: string }> {
  try {
    const res = await request(`http://${host}:${internal.port}/latest/meta-data`, { dispatcher: agent });
    return { status: res.statusCode, body: await res.body.text() };
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? "?", message: (err as Error).message };
  }
}

describe("the undici connector", () => {
  it("refuses every spelling of a loopback address before connecting", async () => {
    const spellings = [
      "127.0.0.3",
      "127.0.3",
      "127.3",
      "2130706435",
      "0x7f000003",
      "0x7f.0.0.3",
      "0177.0.0.3",
      "[::ffff:127.0.0.3]",
      "[::ffff:7f00:3]",
      "[0:0:0:0:0:ffff:7f00:3]",
      "[64:ff9b::7f00:3]",
      "[::1]",
      "[::127.0.0.3]",
      "localhost",
      "registry.localhost",
      "LOCALHOST.",
    ];
    for (const host of spellings) {
      const result = await get(host);
      expect(result, host).toMatchObject({ code: "ERR_PULLGATE_OUTBOUND_REFUSED" });
    }
    expect((await get("0.0.0.0")) as { message: string }).toMatchObject({
      code: "ERR_PULLGATE_OUTBOUND_REFUSED",
      message: "registry address 0.0.0.0 is not a unicast address and is never allowed",
    });
    expect(await get("127.3")).toMatchObject({ message: `registry address 127.0.0.3 ${REFUSAL}` });
    expect(internal.connections).toBe(0);
    expect(allowed.connections).toBe(0);
    expect(v6?.connections ?? 0).toBe(0);
  });

  it("refuses names that resolve to loopback, IPv4-mapped or only private addresses", async () => {
    for (const host of ["internal.test", "v6.test", "mapped.test"]) {
      const result = await get(host);
      expect(result, host).toMatchObject({ code: "ERR_PULLGATE_OUTBOUND_REFUSED" });
    }
    expect(await get("internal.test")).toMatchObject({ message: `registry address 127.0.0.3 ${REFUSAL}` });
    expect(await get("nowhere.test")).toMatchObject({ code: "ENOTFOUND" });
    expect(internal.connections).toBe(0);
    expect(v6?.connections ?? 0).toBe(0);
  });

  it("admits exactly the allowed CIDRs, by name and by address", async () => {
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.2/32";
    expect(await get("127.0.0.2")).toEqual({ status: 200, body: "internal data" });
    expect(await get("allowed.test")).toEqual({ status: 200, body: "internal data" });
    expect(await get("[::ffff:127.0.0.2]")).toEqual({ status: 200, body: "internal data" });
    expect(await get("127.0.0.3")).toMatchObject({ code: "ERR_PULLGATE_OUTBOUND_REFUSED" });
    expect(await get("internal.test")).toMatchObject({ code: "ERR_PULLGATE_OUTBOUND_REFUSED" });
    expect(await get("[::1]")).toMatchObject({ code: "ERR_PULLGATE_OUTBOUND_REFUSED" });
    expect(allowed.connections).toBeGreaterThanOrEqual(1);
    expect(internal.connections).toBe(0);
    expect(v6?.connections ?? 0).toBe(0);
  });

  it("judges every new connection, so a name that changes its answer is caught (DNS rebinding)", async () => {
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.2/32";
    dns.zone.set("rebind.test", { a: ["127.0.0.2"] });
    const fresh = new Agent({ connect: createOutboundConnector({ timeout: 5_000 }), pipelining: 0 });
    try {
      const first = await request(`http://rebind.test:${internal.port}/`, { dispatcher: fresh, reset: true });
      expect(first.statusCode).toBe(200);
      await first.body.dump();
      dns.zone.set("rebind.test", { a: ["127.0.0.3"] });
      const second = await request(`http://rebind.test:${internal.port}/`, { dispatcher: fresh, reset: true }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(OutboundRefusedError);
      expect(internal.connections).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});

describe("the node:http agent (AWS SDK)", () => {
  function nodeGet(host: string): Promise<number | string> {
    return new Promise((resolve) => {
      const req = http.get({ host, port: internal.port, path: "/", agent: outboundHttpAgent() }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
    });
  }

  it("refuses literals and names the policy refuses, and admits allowed ones", async () => {
    expect(await nodeGet("127.0.0.3")).toBe("ERR_PULLGATE_OUTBOUND_REFUSED");
    expect(await nodeGet("::ffff:127.0.0.3")).toBe("ERR_PULLGATE_OUTBOUND_REFUSED");
    expect(await nodeGet("internal.test")).toBe("ERR_PULLGATE_OUTBOUND_REFUSED");
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.2/32";
    expect(await nodeGet("127.0.0.2")).toBe(200);
    expect(await nodeGet("allowed.test")).toBe(200);
    expect(internal.connections).toBe(0);
  });
});

describe("resolveAllowed and outboundLookup", () => {
  it("reads IP literals with or without brackets", () => {
    expect(ipLiteral("127.0.0.1")).toBe("127.0.0.1");
    expect(ipLiteral("[::1]")).toBe("::1");
    expect(ipLiteral("::1")).toBe("::1");
    expect(ipLiteral("[example.com]")).toBeNull();
    // Half a bracket is not a literal (and must not be read as the "::" inside it).
    expect(ipLiteral("[::1")).toBeNull();
    expect(ipLiteral("::1]")).toBeNull();
    // Only a leading bracket opens one: "1::1]" is not "[::1]" with its first character lost.
    expect(ipLiteral("1::1]")).toBeNull();
    expect(ipLiteral("127.1")).toBeNull();
    expect(ipLiteral("example.com")).toBeNull();
  });

  it("returns only the allowed addresses of a name, in resolver order", async () => {
    expect(await resolveAllowed("mixed.test")).toEqual([{ address: "93.184.216.34", family: 4 }]);
    expect(await resolveAllowed("public.test")).toEqual([
      { address: "93.184.216.34", family: 4 },
      { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 },
    ]);
    const loopback = new OutboundPolicy([parseCidr("127.0.0.0/8")]);
    expect(await resolveAllowed("internal.test", { policy: loopback })).toEqual([{ address: "127.0.0.3", family: 4 }]);
    const err = await resolveAllowed("internal.test").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundRefusedError);
    expect(err).toMatchObject({ address: "127.0.0.3", hostname: "internal.test", range: "loopback" });
  });

  it("checks literals without asking DNS", async () => {
    const before = dns.queries;
    expect(await resolveAllowed("93.184.216.34")).toEqual([{ address: "93.184.216.34", family: 4 }]);
    expect(await resolveAllowed("[2606:4700::1]")).toEqual([{ address: "2606:4700::1", family: 6 }]);
    await expect(resolveAllowed("[::1]")).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(dns.queries).toBe(before);
  });

  it("answers lookups in the shape net asks for", async () => {
    const lookup = (name: string, options: { all?: boolean; family?: number }) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
        outboundLookup(name, options, (err, address, family) => resolve({ err, address, family })),
      );
    expect(await lookup("public.test", { all: true })).toMatchObject({ err: null, address: [{ address: "93.184.216.34", family: 4 }, { family: 6 }] });
    expect(await lookup("public.test", {})).toEqual({ err: null, address: "93.184.216.34", family: 4 });
    expect(await lookup("public.test", { family: 6 })).toEqual({ err: null, address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 });
    expect((await lookup("mixed.test", { family: 6 })).err?.code).toBe("ENOTFOUND");
    expect((await lookup("internal.test", { all: true })).err?.code).toBe("ERR_PULLGATE_OUTBOUND_REFUSED");
    expect((await lookup("nowhere.test", { all: true })).err?.code).toBe("ENOTFOUND");
    // Failures carry an empty answer of the shape asked for.
    expect(await lookup("mixed.test", { family: 6, all: true })).toMatchObject({ address: [], family: undefined });
    expect(await lookup("mixed.test", { family: 6 })).toMatchObject({ address: "", family: undefined });
    expect(await lookup("nowhere.test", { all: true })).toMatchObject({ address: [], family: undefined });
    expect(await lookup("nowhere.test", {})).toMatchObject({ address: "", family: undefined });
    expect(await lookup("public.test", { family: 4, all: true })).toEqual({ err: null, address: [{ address: "93.184.216.34", family: 4 }], family: undefined });
  });

  it("says which name did not resolve, and tells a missing name from a resolver that failed", async () => {
    const missing = (await resolveAllowed("nowhere.test").catch((e: unknown) => e)) as NodeJS.ErrnoException & { hostname?: string };
    expect(missing).toMatchObject({ code: "ENOTFOUND", hostname: "nowhere.test", message: "getaddrinfo ENOTFOUND nowhere.test" });
    // Nothing listens on this port: the resolver's own failure (ECONNREFUSED) is a temporary one.
    const closed = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => closed.bind(0, "127.0.0.1", () => resolve()));
    const port = closed.address().port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failed = (await resolveAllowed("any.test", { dnsServers: [`127.0.0.1:${port}`], timeoutMs: 5_000 }).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(failed).toMatchObject({ code: "EAI_AGAIN", message: "DNS lookup timed out for any.test" });
  });

  it("gives up on a resolver that does not answer", async () => {
    const silent = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", () => resolve()));
    try {
      const started = Date.now();
      const err = await resolveAllowed("slow.test", { dnsServers: [`127.0.0.1:${silent.address().port}`], timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "EAI_AGAIN", message: "DNS lookup timed out for slow.test", hostname: "slow.test" });
      // Its own deadline, not the resolver's (2 tries of 2 s, measured at 5 s).
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      silent.close();
    }
  });

  // The overall deadline is far away in these: the code comes from what the resolver said.
  const resolveFailure = (name: string, servers = [dns.address]) =>
    resolveAllowed(name, { dnsServers: servers, timeoutMs: 60_000 }).catch((e: unknown) => e) as Promise<NodeJS.ErrnoException>;

  it("a resolver failing (SERVFAIL, refused connection) is temporary: EAI_AGAIN", async () => {
    dns.zone.set("servfail.test", { rcode: "SERVFAIL" });
    expect(await resolveFailure("servfail.test")).toMatchObject({ code: "EAI_AGAIN", hostname: "servfail.test", message: "DNS lookup timed out for servfail.test" });
    const closed = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => closed.bind(0, "127.0.0.1", () => resolve()));
    const port = closed.address().port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await resolveFailure("any.test", [`127.0.0.1:${port}`])).toMatchObject({ code: "EAI_AGAIN", hostname: "any.test" });
  });

  it("a name without addresses (NXDOMAIN, or no A/AAAA records) is not found: ENOTFOUND", async () => {
    dns.zone.set("no-address.test", { txt: [["hello"]] });
    expect(await resolveFailure("nowhere.test")).toMatchObject({ code: "ENOTFOUND", hostname: "nowhere.test", message: "getaddrinfo ENOTFOUND nowhere.test" });
    expect(await resolveFailure("no-address.test")).toMatchObject({ code: "ENOTFOUND", hostname: "no-address.test" });
  });

  it("a resolver that times out itself (before the overall deadline) is temporary: EAI_AGAIN", async () => {
    const silent = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", () => resolve()));
    try {
      expect(await resolveFailure("slow.test", [`127.0.0.1:${silent.address().port}`])).toMatchObject({ code: "EAI_AGAIN", hostname: "slow.test" });
    } finally {
      silent.close();
    }
  }, 15_000);
});
