"use client";

import * as React from "react";
import { Plus, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";

/** Editable list of image patterns (globs such as acme/api or acme/*); `describe` renders a line under each (its matches). */
export function ImagePatternsEditor({
  value,
  onChange,
  describe,
}: {
  value: string[];
  onChange: (next: string[]) => void;
  describe?: (pattern: string, index: number) => React.ReactNode;
}) {
  return (
    <div className="grid gap-2" role="group" aria-label="Image patterns">
      {value.map((pattern, i) => (
        <div key={i} className="grid gap-1">
          <div className="flex gap-2">
            <Input
              aria-label={`Image pattern ${i + 1}`}
              value={pattern}
              onChange={(e) => onChange(value.map((p, j) => (j === i ? e.target.value : p)))}
              placeholder="acme/*"
              className="font-mono"
              spellCheck={false}
            />
            <Button variant="ghost" size="icon" aria-label={`Remove image pattern ${i + 1}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>
              <X aria-hidden />
            </Button>
          </div>
          {describe?.(pattern, i)}
        </div>
      ))}
      <div>
        <Button variant="secondary" size="sm" onClick={() => onChange([...value, ""])}>
          <Plus aria-hidden />
          Add image pattern
        </Button>
      </div>
    </div>
  );
}

export type EntitlementKind = "text" | "number" | "boolean";
export type EntitlementRow = { key: string; value: string; kind: EntitlementKind };

export function entitlementsToRows(record: Record<string, string | number | boolean>): EntitlementRow[] {
  return Object.entries(record).map(([key, value]) => ({
    key,
    value: String(value),
    kind: typeof value === "number" ? "number" : typeof value === "boolean" ? "boolean" : "text",
  }));
}

/** Rows → the API's entitlements object. Numbers stay numbers, so a typo gets the schema's message. */
export function rowsToEntitlements(rows: EntitlementRow[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (!key && !row.value.trim()) continue;
    out[key] = row.kind === "number" ? (row.value.trim() === "" ? Number.NaN : Number(row.value)) : row.kind === "boolean" ? row.value === "true" : row.value;
  }
  return out;
}

/** A message under one entitlement's row: a field error (red) or a flag on a stored value that no longer fits (amber). */
export type EntitlementMessage = { text: string; error: boolean };

/** Key/value editor for a license's entitlements (e.g. seats = 25, tier = enterprise). */
export function EntitlementsEditor({
  value,
  onChange,
  messages = {},
}: {
  value: EntitlementRow[];
  onChange: (next: EntitlementRow[]) => void;
  /** By entitlement name. */
  messages?: Record<string, EntitlementMessage>;
}) {
  const set = (i: number, patch: Partial<EntitlementRow>) => onChange(value.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  return (
    <div className="grid gap-2" role="group" aria-label="Entitlements">
      {value.map((row, i) => {
        const message = messages[row.key.trim()];
        const messageId = message ? `entitlement-${i}-message` : undefined;
        return (
        <div key={i} className="grid gap-1">
        <div className="grid grid-cols-[7rem_1fr_auto] gap-2 border-b border-zinc-100 pb-2 last:border-0 sm:grid-cols-[1fr_7rem_1fr_auto] sm:border-0 sm:pb-0">
          <Input
            aria-label={`Entitlement ${i + 1} name`}
            value={row.key}
            onChange={(e) => set(i, { key: e.target.value })}
            placeholder="seats"
            className="col-span-2 row-start-1 font-mono sm:col-span-1 sm:row-start-auto"
            spellCheck={false}
          />
          <Select
            aria-label={`Entitlement ${i + 1} type`}
            value={row.kind}
            onChange={(e) => {
              const kind = e.target.value as EntitlementKind;
              set(i, { kind, value: kind === "boolean" ? (row.value === "false" ? "false" : "true") : row.value });
            }}
            className="col-start-1 row-start-2 sm:col-start-auto sm:row-start-auto"
          >
            <option value="text">Text</option>
            <option value="number">Number</option>
            <option value="boolean">Yes/no</option>
          </Select>
          {row.kind === "boolean" ? (
            <Select aria-label={`Entitlement ${i + 1} value`} aria-invalid={message?.error || undefined} aria-describedby={messageId} value={row.value} onChange={(e) => set(i, { value: e.target.value })} className="col-span-2 col-start-2 row-start-2 sm:col-span-1 sm:col-start-auto sm:row-start-auto">
              <option value="true">true</option>
              <option value="false">false</option>
            </Select>
          ) : (
            <Input
              aria-label={`Entitlement ${i + 1} value`}
              aria-invalid={message?.error || undefined}
              aria-describedby={messageId}
              value={row.value}
              inputMode={row.kind === "number" ? "decimal" : undefined}
              onChange={(e) => set(i, { value: e.target.value })}
              placeholder={row.kind === "number" ? "25" : "enterprise"}
              className="col-span-2 col-start-2 row-start-2 sm:col-span-1 sm:col-start-auto sm:row-start-auto"
            />
          )}
          <Button
            variant="ghost"
            size="icon"
            aria-label={`Remove entitlement ${i + 1}`}
            onClick={() => onChange(value.filter((_, j) => j !== i))}
            className="col-start-3 row-start-1 sm:col-start-auto sm:row-start-auto"
          >
            <X aria-hidden />
          </Button>
        </div>
        {message ? (
          <p id={messageId} className={message.error ? "text-[13px] font-medium text-red-600" : "text-[13px] font-medium text-amber-700"}>
            {message.error ? message.text : `Does not fit the app's entitlement schema: ${message.text}`}
          </p>
        ) : null}
        </div>
        );
      })}
      <div>
        <Button variant="secondary" size="sm" onClick={() => onChange([...value, { key: "", value: "", kind: "text" }])}>
          <Plus aria-hidden />
          Add entitlement
        </Button>
      </div>
    </div>
  );
}

/** Rows for a new license of an app with an entitlement schema: one per field, with its default. */
export function schemaRows(fields: { name: string; type: string; default: string | number | boolean | null }[]): EntitlementRow[] {
  return fields.map((f) => ({
    key: f.name,
    kind: f.type === "number" ? "number" : f.type === "boolean" ? "boolean" : "text",
    value: f.default === null ? (f.type === "boolean" ? "false" : "") : String(f.default),
  }));
}
