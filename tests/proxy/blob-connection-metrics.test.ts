import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeIdleBlobConnections, socketGet } from "@/lib/upstream/socket-get";
import { createMetrics } from "@/proxy/metrics";
import { metricValue } from "../helpers/cache-fixture";

// pullgate_proxy_upstream_blob_connections_total follows the blob transport's
// own counts (one pool per process): each connection once, however often scraped.

process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.0/8";

let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.end("blob"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/b`;
});
afterAll(async () => {
  closeIdleBlobConnections();
  await new Promise((r) => server.close(r));
});

async function getWhole(): Promise<void> {
  const res = await socketGet(url, {});
  await new Promise<void>((resolve, reject) => {
    res.body.on("data", () => {});
    res.body.once("end", () => resolve());
    res.body.once("error", reject);
  });
}

describe("upstream blob connection metrics", () => {
  it("counts new and reused connections, each once however often the metrics are scraped", async () => {
    const metrics = createMetrics();
    const name = "pullgate_proxy_upstream_blob_connections_total";
    const scrape = async () => {
      const text = await metrics.registry.metrics();
      return { new: metricValue(text, name, { connection: "new" }), reused: metricValue(text, name, { connection: "reused" }) };
    };
    expect(await scrape()).toEqual({ new: 0, reused: 0 });
    for (let i = 0; i < 3; i++) await getWhole();
    expect(await scrape()).toEqual({ new: 1, reused: 2 });
    expect(await scrape()).toEqual({ new: 1, reused: 2 });
    closeIdleBlobConnections();
    await getWhole();
    expect(await scrape()).toEqual({ new: 2, reused: 2 });
  });
});
