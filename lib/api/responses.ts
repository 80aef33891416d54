import type { FieldIssue } from "@/lib/errors";

export type ApiErrorBody = { error: { code: string; message: string; issues?: FieldIssue[] } };

export function jsonResponse(data: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { status, headers: h });
}

export function noContent(): Response {
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
}

export function errorResponse(status: number, code: string, message: string, issues?: FieldIssue[], extraHeaders?: Record<string, string>): Response {
  const body: ApiErrorBody = { error: issues ? { code, message, issues } : { code, message } };
  const headers: Record<string, string> = status === 401 ? { "www-authenticate": 'Bearer realm="pullgate-api"' } : {};
  return jsonResponse(body, status, { ...headers, ...extraHeaders });
}
