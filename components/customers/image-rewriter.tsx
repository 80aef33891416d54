"use client";

import * as React from "react";
import { AlertTriangle, ArrowDown } from "lucide-react";
import { CodeBlock } from "@/components/ui/code-block";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { ProxyHostSelect } from "@/components/customers/proxy-host-select";
import { rewriteImage, type RewriteRegistry } from "@/lib/customers/rewrite-image";

type Props = {
  hosts: string[];
  appSlug: string;
  /** The team's linked registries (no secrets): references resolve against these only. */
  registries: RewriteRegistry[];
  /** A first example in upstream form, from the app's own catalog; empty when none is known. */
  example: string;
};

/** Paste an upstream image reference, get the one to pull through Pullgate (live, with a plain reason when it cannot be). */
export function ImageRewriter({ hosts, appSlug, registries, example }: Props) {
  const [input, setInput] = React.useState(example);
  const [host, setHost] = React.useState(hosts[0] ?? "");

  let rewritten: string | null = null;
  let error: string | null = null;
  if (input.trim()) {
    try {
      rewritten = rewriteImage(input, { host, appSlug, registries });
    } catch (e) {
      error = e instanceof Error ? e.message : "Not a valid image reference.";
    }
  }
  const usable = registries.filter((r) => r.usable);
  const placeholder = usable[0] ? `${usable[0].name ?? usable[0].endpoint}/<image>:<tag>` : "registry.example.com/acme/api:1.0";

  return (
    <div className="grid gap-3">
      <div className="grid gap-3 sm:grid-cols-[1fr_auto]">
        <FormField
          label="Image reference"
          description={`The image as it is named on your registry: ${usable.map((r) => (r.name ? `${r.name}/… or ${r.endpoint}/…` : `${r.endpoint}/…`)).join(", ") || "link a registry first"}, with a tag or @sha256:… digest.`}
        >
          <Input value={input} onChange={(e) => setInput(e.target.value)} spellCheck={false} className="font-mono" autoComplete="off" placeholder={placeholder} />
        </FormField>
        <ProxyHostSelect hosts={hosts} value={host} onChange={setHost} />
      </div>
      <ArrowDown className="mx-auto size-4 text-zinc-400" aria-hidden />
      {rewritten ? (
        <CodeBlock title="Through Pullgate" code={rewritten} copyLabel="Copy rewritten image" className="[&_pre]:whitespace-pre-wrap [&_pre]:break-all" />
      ) : error ? (
        <p role="alert" data-testid="rewrite-error" className="flex items-start gap-2 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
          {error}
        </p>
      ) : (
        <div className="rounded-lg border border-dashed border-zinc-300 px-4 py-4 text-center text-sm text-zinc-500">Type an image reference to see its path through Pullgate.</div>
      )}
      <output className="sr-only" aria-live="polite" data-testid="rewritten-image">
        {rewritten ?? ""}
      </output>
    </div>
  );
}
