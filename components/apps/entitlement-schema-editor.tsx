"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Plus, X } from "lucide-react";
import { setEntitlementSchemaAction } from "@/app/(portal)/apps/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { toast } from "@/components/ui/toaster";
import { entitlementFieldTypes, type EntitlementField, type EntitlementFieldType } from "@/lib/apps/schemas";

type Row = { name: string; type: EntitlementFieldType; default: string; required: boolean };

const TYPE_LABELS: Record<EntitlementFieldType, string> = { string: "Text", number: "Number", boolean: "Yes/no", date: "Date" };

function toRow(f: EntitlementField): Row {
  return { name: f.name, type: f.type, default: f.default === null ? "" : String(f.default), required: f.required };
}

/** The typed default: numbers stay numbers (a typo gets the server's message), yes/no become booleans, empty means none. */
function toDefault(row: Row): string | number | boolean | null {
  if (row.default.trim() === "") return null;
  if (row.type === "number") return Number.isNaN(Number(row.default)) ? row.default : Number(row.default);
  if (row.type === "boolean") return row.default === "true";
  return row.default;
}

/** The vendor's fields for this app's entitlements: name, type, default, required. */
export function EntitlementSchemaEditor({ appId, fields, canWrite }: { appId: string; fields: EntitlementField[]; canWrite: boolean }) {
  const router = useRouter();
  const [rows, setRows] = React.useState<Row[]>(() => fields.map(toRow));
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();
  const set = (i: number, patch: Partial<Row>) => setRows((list) => list.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  function save(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await setEntitlementSchemaAction(appId, {
        fields: rows.map((r) => ({ name: r.name, type: r.type, default: toDefault(r), required: r.required })),
      });
      if (result.ok) {
        setErrors({});
        setMessage(undefined);
        toast.success("Entitlement schema saved.");
        router.refresh();
        return;
      }
      setErrors(result.fieldErrors);
      setMessage(result.message);
    });
  }

  return (
    <form method="post" onSubmit={save} noValidate className="grid gap-3" aria-label="Entitlement schema">
      <FormAlert message={message} />
      {rows.length === 0 ? <p className="text-sm text-zinc-500">No fields: licenses of this app may carry any entitlements.</p> : null}
      {rows.map((row, i) => {
        const rowErrors = ["name", "type", "default"].map((k) => errors[`fields.${i}.${k}`]).filter(Boolean);
        return (
          <div key={i} className="grid gap-1">
            <div className="grid grid-cols-[1fr_7rem_1fr_auto_auto] items-center gap-2">
              <Input aria-label={`Field ${i + 1} name`} value={row.name} onChange={(e) => set(i, { name: e.target.value })} placeholder="seats" className="font-mono" disabled={!canWrite} spellCheck={false} />
              <Select aria-label={`Field ${i + 1} type`} value={row.type} onChange={(e) => set(i, { type: e.target.value as EntitlementFieldType, default: "" })} disabled={!canWrite}>
                {entitlementFieldTypes.map((t) => (
                  <option key={t} value={t}>
                    {TYPE_LABELS[t]}
                  </option>
                ))}
              </Select>
              {row.type === "boolean" ? (
                <Select aria-label={`Field ${i + 1} default`} value={row.default} onChange={(e) => set(i, { default: e.target.value })} disabled={!canWrite}>
                  <option value="">No default</option>
                  <option value="true">true</option>
                  <option value="false">false</option>
                </Select>
              ) : (
                <Input
                  aria-label={`Field ${i + 1} default`}
                  value={row.default}
                  type={row.type === "date" ? "date" : "text"}
                  inputMode={row.type === "number" ? "decimal" : undefined}
                  onChange={(e) => set(i, { default: e.target.value })}
                  placeholder="Default (optional)"
                  disabled={!canWrite}
                />
              )}
              <label className="flex items-center gap-1.5 text-sm text-zinc-700">
                <Checkbox aria-label={`Field ${i + 1} required`} checked={row.required} onCheckedChange={(c) => set(i, { required: c === true })} disabled={!canWrite} />
                Required
              </label>
              {canWrite ? (
                <Button variant="ghost" size="icon" aria-label={`Remove field ${i + 1}`} onClick={() => setRows((list) => list.filter((_, j) => j !== i))}>
                  <X aria-hidden />
                </Button>
              ) : null}
            </div>
            {rowErrors.map((msg) => (
              <p key={msg} className="text-[13px] font-medium text-red-600">
                {msg}
              </p>
            ))}
          </div>
        );
      })}
      {canWrite ? (
        <div className="flex gap-2">
          <Button variant="secondary" size="sm" onClick={() => setRows((list) => [...list, { name: "", type: "string", default: "", required: false }])}>
            <Plus aria-hidden />
            Add field
          </Button>
          <SubmitButton size="sm" disabled={pending}>
            {pending ? "Saving…" : "Save schema"}
          </SubmitButton>
        </div>
      ) : null}
    </form>
  );
}
