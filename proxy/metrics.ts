import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

// One registry per server instance (tests start several in one process).
// Route labels come from the router's fixed set, never from raw paths, so
// label cardinality stays bounded.
export type ProxyMetrics = {
  registry: Registry;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
};

export function createMetrics(): ProxyMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "pullgate_proxy_" });
  const httpRequests = new Counter({
    name: "pullgate_proxy_http_requests_total",
    help: "HTTP requests answered by the proxy, by route, method and status code.",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "pullgate_proxy_http_request_duration_seconds",
    help: "Time from request start until the response finished, by route and method.",
    labelNames: ["route", "method"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration };
}

/** Methods as a bounded label set: anything unusual is "other". */
export function methodLabel(method: string | undefined): string {
  const known = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
  return method && known.includes(method) ? method : "other";
}
