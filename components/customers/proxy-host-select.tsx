"use client";

import { FormField } from "@/components/ui/form-field";
import { Select } from "@/components/ui/select";

/** The proxy host a customer pulls through, when the team has more than one (custom domains). */
export function ProxyHostSelect({ hosts, value, onChange, className }: { hosts: string[]; value: string; onChange: (host: string) => void; className?: string }) {
  if (hosts.length < 2) return null;
  return (
    <FormField label="Proxy host" className={className}>
      <Select value={value} onChange={(e) => onChange(e.target.value)}>
        {hosts.map((h) => (
          <option key={h} value={h}>
            {h}
          </option>
        ))}
      </Select>
    </FormField>
  );
}
