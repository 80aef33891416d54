import type { ServerResponse } from "node:http";

/** The gate's own answers use the REST API's error shape: `{"error":{"code","message"}}`. */
export function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}
