"use client";

import * as React from "react";
import { ArrowDown } from "lucide-react";
import { CodeBlock } from "@/components/ui/code-block";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { rewriteImage } from "@/lib/customers/rewrite-image";

/** Paste an upstream image reference, get the one to pull through Pullgate (live, with the parser's errors). */
export function ImageRewriter({ hosts, appSlug }: { hosts: string[]; appSlug: string }) {
  const [input, setInput] = React.useState("ghcr.io/acme/api:1.2.0");
  const [host, setHost] = React.useState(hosts[0] ?? "");

  let rewritten: string | null = null;
  let error: string | null = null;
  try {
    rewritten = rewriteImage(input, { host, appSlug });
  } catch (e) {
    error = e instanceof Error ? e.message : "Not a valid image reference.";
  }

  return (
    <div className="grid gap-3">
      <div className="grid gap-3 sm:grid-cols-[1fr_auto]">
        <FormField label="Image reference" error={error} description="e.g. ghcr.io/acme/api:1.2.0, nginx, or a reference with @sha256:… digest">
          <Input value={input} onChange={(e) => setInput(e.target.value)} spellCheck={false} className="font-mono" autoComplete="off" />
        </FormField>
        {hosts.length > 1 ? (
          <FormField label="Proxy host">
            <Select value={host} onChange={(e) => setHost(e.target.value)}>
              {hosts.map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </Select>
          </FormField>
        ) : null}
      </div>
      <ArrowDown className="mx-auto size-4 text-zinc-400" aria-hidden />
      {rewritten ? (
        <CodeBlock title="Through Pullgate" code={rewritten} copyLabel="Copy rewritten image" className="[&_pre]:whitespace-pre-wrap [&_pre]:break-all" />
      ) : (
        <div className="rounded-lg border border-dashed border-zinc-300 px-4 py-4 text-center text-sm text-zinc-500">
          Fix the reference above to see the proxy path.
        </div>
      )}
      <output className="sr-only" aria-live="polite" data-testid="rewritten-image">
        {rewritten ?? ""}
      </output>
    </div>
  );
}
