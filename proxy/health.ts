import type { ServerResponse } from "node:http";
import type { PrismaClient } from "@/lib/generated/prisma/client";

// /healthz says the process is alive (for restarts); /readyz says it can serve
// pulls, which needs the database and a process that is not shutting down
// (for load balancers: a draining proxy answers 503 from the first moment).

export function sendHealthz(res: ServerResponse): void {
  sendJson(res, 200, { status: "ok" });
}

export async function sendReadyz(res: ServerResponse, prisma: PrismaClient, timeoutMs: number, draining = false): Promise<void> {
  if (draining) return sendJson(res, 503, { status: "draining" });
  const ready = await databaseReachable(prisma, timeoutMs);
  if (ready.ok) sendJson(res, 200, { status: "ok", database: "ok" });
  else sendJson(res, 503, { status: "unavailable", database: ready.reason });
}

export async function databaseReachable(prisma: PrismaClient, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const result = await Promise.race([prisma.$queryRaw`SELECT 1`.then(() => "ok" as const), timeout]);
    return result === "ok" ? { ok: true } : { ok: false, reason: `no answer within ${timeoutMs} ms` };
  } catch {
    // The driver's message may name the host and user; keep it out of a public endpoint.
    return { ok: false, reason: "unreachable" };
  } finally {
    clearTimeout(timer);
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.setHeader("Cache-Control", "no-store");
  res.end(res.req.method === "HEAD" ? undefined : body);
}
