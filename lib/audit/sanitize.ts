// Audit summaries must never carry credentials. Any key that looks secret-like
// is dropped wherever it appears; the license ID counts (it is the pull password).
const SECRET_KEY = /(secret|password|passwd|token(?!name)|hash|cipher|licenseid|apikey|api_key|credential|private_?key)/i;

export function isSecretLikeKey(key: string): boolean {
  return SECRET_KEY.test(key) || /^auth$/i.test(key);
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function toAuditJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toAuditJson);
  if (typeof value === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (isSecretLikeKey(k) || v === undefined) continue;
      out[k] = toAuditJson(v);
    }
    return out;
  }
  return null;
}
