import { isSecretLikeKey, toAuditJson, type JsonValue } from "@/lib/audit/sanitize";

export type FieldDiff = { before: Record<string, JsonValue>; after: Record<string, JsonValue> };

/**
 * The fields (of those named) whose value differs between two snapshots, as
 * before/after summaries for the audit log. Returns null when nothing changed.
 */
export function diffFields<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): FieldDiff | null {
  const diff: FieldDiff = { before: {}, after: {} };
  let changed = false;
  for (const field of fields) {
    if (isSecretLikeKey(field)) continue;
    const b = toAuditJson(before[field]);
    const a = toAuditJson(after[field]);
    if (JSON.stringify(b) !== JSON.stringify(a)) {
      diff.before[field] = b;
      diff.after[field] = a;
      changed = true;
    }
  }
  return changed ? diff : null;
}

/** Snapshot of the named fields, for create/delete events. */
export function pickFields<T extends object>(value: T, fields: readonly (keyof T & string)[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const field of fields) if (!isSecretLikeKey(field)) out[field] = toAuditJson(value[field]);
  return out;
}
