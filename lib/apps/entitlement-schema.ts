import type { FieldIssue } from "@/lib/errors";
import { entitlementFieldTypes, entitlementValueProblem, type EntitlementField, type EntitlementFieldType } from "@/lib/apps/schemas";

// How a license's entitlements meet its app's entitlement schema. New and
// changed values must fit; values stored before the schema changed are kept
// as they are and flagged (entitlementProblems), never silently dropped.
// An app without fields accepts any entitlements, as before schemas existed.

type Value = string | number | boolean;
export type Entitlements = Record<string, Value>;

/** The stored schema (JSON) as fields; anything malformed in it is skipped. */
export function readEntitlementSchema(stored: unknown): EntitlementField[] {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((raw) => {
    const f = raw as Partial<EntitlementField>;
    if (typeof f?.name !== "string" || !entitlementFieldTypes.includes(f.type as EntitlementFieldType)) return [];
    return [{ name: f.name, type: f.type as EntitlementFieldType, default: f.default ?? null, required: f.required === true }];
  });
}

const path = (name: string) => `entitlements.${name}`;
const NOT_IN_SCHEMA = "Not a field of the app's entitlement schema.";

/**
 * Checks entitlements being saved. `previous` (on update) are the stored
 * values: one left unchanged is kept even if it no longer fits. Missing
 * fields get their default when required, or on create; a required field
 * with no default must be given.
 */
export function applyEntitlementSchema(fields: EntitlementField[], values: Entitlements, previous?: Entitlements): { values: Entitlements; issues: FieldIssue[] } {
  if (fields.length === 0) return { values, issues: [] };
  const out: Entitlements = { ...values };
  const issues: FieldIssue[] = [];
  const unchanged = (name: string) => previous !== undefined && name in previous && JSON.stringify(previous[name]) === JSON.stringify(out[name]);
  for (const field of fields) {
    if (field.name in out) continue;
    if (field.default !== null && (field.required || previous === undefined)) out[field.name] = field.default;
    else if (field.required) issues.push({ path: path(field.name), message: "Required." });
  }
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const [name, value] of Object.entries(out)) {
    const field = byName.get(name);
    const problem = field ? entitlementValueProblem(field.type, value) : NOT_IN_SCHEMA;
    if (problem && !unchanged(name)) issues.push({ path: path(name), message: problem });
  }
  return { values: out, issues };
}

/** What is wrong with stored entitlements under the current schema (shown as flags; nothing is changed). */
export function entitlementProblems(fields: EntitlementField[], values: Entitlements): FieldIssue[] {
  if (fields.length === 0) return [];
  const byName = new Map(fields.map((f) => [f.name, f]));
  const issues: FieldIssue[] = [];
  for (const field of fields) if (field.required && !(field.name in values)) issues.push({ path: path(field.name), message: "Required, but missing." });
  for (const [name, value] of Object.entries(values)) {
    const field = byName.get(name);
    const problem = field ? entitlementValueProblem(field.type, value) : NOT_IN_SCHEMA;
    if (problem) issues.push({ path: path(name), message: problem });
  }
  return issues;
}
