"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Loader2 } from "lucide-react";
import { createCustomerAction, updateCustomerAction } from "@/app/(portal)/customers/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { PatternMatches, PatternPreview, usePatternPreview } from "@/components/customers/image-pattern-preview";
import {
  EntitlementsEditor,
  entitlementsToRows,
  ImagePatternsEditor,
  rowsToEntitlements,
  schemaRows,
  type EntitlementMessage,
  type EntitlementRow,
} from "@/components/customers/list-editors";
import type { EntitlementField } from "@/lib/apps/schemas";
import type { FieldIssue } from "@/lib/errors";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { toast } from "@/components/ui/toaster";
import { customerTypes, IMAGE_PATTERN_LIMITS_TEXT, TEST_LICENSE_MAX_HOURS, type CustomerTypeValue } from "@/lib/customers/schemas";
import type { CustomerDto } from "@/lib/customers/customer-dto";

const TYPE_HINTS: Record<CustomerTypeValue, string> = {
  paid: "A paying customer.",
  trial: "Evaluating your product; usually with an expiry.",
  dev: "Your own developers or a partner's test environment.",
  community: "Free community edition: community licenses never expire.",
  test: `Short-lived: test licenses expire within ${TEST_LICENSE_MAX_HOURS} hours.`,
};

/** ISO → the value of a datetime-local input, in the browser's time zone. */
function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

type Props = {
  apps: { id: string; name: string }[];
  /** Editing an existing customer; absent when creating. */
  customer?: CustomerDto;
  defaultAppId?: string;
  /** Each app's entitlement schema (by app id): a new customer's entitlements start from its fields. */
  entitlementSchemas?: Record<string, EntitlementField[]>;
  /** Stored entitlements that no longer fit the app's schema (flagged under their rows while unchanged). */
  entitlementFlags?: FieldIssue[];
};

/**
 * Create / edit a customer and its license terms. The server action validates
 * with the API's schema; its field errors land next to the fields.
 */
export function CustomerForm({ apps, customer, defaultAppId, entitlementSchemas = {}, entitlementFlags = [] }: Props) {
  const router = useRouter();
  const [appId, setAppId] = React.useState(customer?.appId ?? defaultAppId ?? apps[0]?.id ?? "");
  const [name, setName] = React.useState(customer?.name ?? "");
  const [email, setEmail] = React.useState(customer?.email ?? "");
  const [customId, setCustomId] = React.useState(customer?.customId ?? "");
  const [type, setType] = React.useState<CustomerTypeValue>(customer?.type ?? "paid");
  const [channel, setChannel] = React.useState(customer?.channel ?? "");
  const [expires, setExpires] = React.useState<"never" | "on">(customer?.license.expiresAt ? "on" : "never");
  const [expiresAt, setExpiresAt] = React.useState(() => toLocalInput(customer?.license.expiresAt ?? null));
  const [registryAccess, setRegistryAccess] = React.useState(customer?.license.registryAccess ?? true);
  const [imagePatterns, setImagePatterns] = React.useState<string[]>(customer?.license.imagePatterns ?? []);
  const initialAppId = customer?.appId ?? defaultAppId ?? apps[0]?.id ?? "";
  const [entitlements, setEntitlements] = React.useState<EntitlementRow[]>(() =>
    customer ? entitlementsToRows(customer.license.entitlements) : schemaRows(entitlementSchemas[initialAppId] ?? []),
  );
  const [prefilled, setPrefilled] = React.useState(() => JSON.stringify(entitlements));
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();
  const preview = usePatternPreview(appId);

  /** A new customer's entitlements follow the chosen app's schema until they are edited. */
  function changeApp(next: string) {
    setAppId(next);
    if (!customer && JSON.stringify(entitlements) === prefilled) {
      const rows = schemaRows(entitlementSchemas[next] ?? []);
      setEntitlements(rows);
      setPrefilled(JSON.stringify(rows));
    }
  }

  /** Field errors and flags by entitlement name, shown under their rows. */
  const entitlementMessages: Record<string, EntitlementMessage> = {};
  const storedEntitlements = customer?.license.entitlements ?? {};
  const currentEntitlements = rowsToEntitlements(entitlements);
  for (const flag of entitlementFlags) {
    const key = flag.path.replace(/^entitlements\./, "");
    if (key in currentEntitlements && JSON.stringify(currentEntitlements[key]) === JSON.stringify(storedEntitlements[key])) {
      entitlementMessages[key] = { text: flag.message, error: false };
    }
  }
  for (const [path, msg] of Object.entries(errors)) {
    if (path.startsWith("entitlements.")) entitlementMessages[path.slice("entitlements.".length)] = { text: msg, error: true };
  }
  const rowKeys = new Set(entitlements.map((r) => r.key.trim()));

  function changeType(next: CustomerTypeValue) {
    setType(next);
    if (next === "community") setExpires("never");
    if (next === "test" && (expires === "never" || !expiresAt)) {
      setExpires("on");
      setExpiresAt(toLocalInput(new Date(Date.now() + TEST_LICENSE_MAX_HOURS * 3600_000).toISOString()));
    }
  }

  /** Messages for a list field; entitlement messages name the entitlement. */
  function errorsUnder(prefix: string, nameItems = false): string[] {
    return Object.entries(errors)
      .filter(([path]) => path === prefix || path.startsWith(`${prefix}.`))
      .map(([path, msg]) => (nameItems && path !== prefix ? `${path.slice(prefix.length + 1)}: ${msg}` : msg));
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const keys = entitlements.map((r) => r.key.trim()).filter(Boolean);
    const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
    if (duplicate) {
      setErrors({ entitlements: `The entitlement "${duplicate}" appears twice.` });
      setMessage("Some fields need attention: see the messages below.");
      return;
    }
    const terms = {
      name,
      email,
      customId,
      type,
      channel,
      expiresAt: type === "community" || expires === "never" ? null : fromLocalInput(expiresAt),
      registryAccess,
      imagePatterns: imagePatterns.map((p) => p.trim()).filter(Boolean),
      entitlements: rowsToEntitlements(entitlements),
    };
    if (expires === "on" && type !== "community" && !expiresAt) {
      setErrors({ expiresAt: "Pick a date and time, or choose Never." });
      setMessage("Some fields need attention: see the messages below.");
      return;
    }
    startTransition(async () => {
      const result = customer ? await updateCustomerAction(customer.id, terms) : await createCustomerAction({ appId, ...terms });
      if (result.ok) {
        toast.success(customer ? "Customer saved." : `Customer "${result.data.name}" created.`);
        router.push(`/customers/${result.data.id}`);
        router.refresh();
        return;
      }
      setErrors(result.fieldErrors);
      setMessage(result.message);
    });
  }

  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-6">
      <FormAlert message={message} />
      <Card>
        <CardHeader>
          <CardTitle>Customer</CardTitle>
          <CardDescription>Who this license is for.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5 sm:grid-cols-2 [&>*]:content-start">
          {customer ? null : (
            <FormField label="App" error={errors.appId} className="sm:col-span-2" description="The app whose images this customer may pull.">
              <Select name="appId" value={appId} onChange={(e) => changeApp(e.target.value)}>
                {apps.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </Select>
            </FormField>
          )}
          <FormField label="Name" error={errors.name}>
            <Input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Globex Corporation" maxLength={200} />
          </FormField>
          <FormField label="Email" optional error={errors.email} description="Used as the docker login username in install instructions.">
            <Input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="ops@globex.example" maxLength={320} />
          </FormField>
          <FormField label="Custom ID" optional error={errors.customId} description="Your own reference, e.g. a CRM or billing ID.">
            <Input name="customId" value={customId} onChange={(e) => setCustomId(e.target.value)} placeholder="CRM-1042" maxLength={100} />
          </FormField>
          <FormField label="Channel" optional error={errors.channel} description="Release channel, e.g. stable or beta.">
            <Input name="channel" value={channel} onChange={(e) => setChannel(e.target.value)} placeholder="stable" maxLength={100} />
          </FormField>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>License terms</CardTitle>
          <CardDescription>What the license ID lets this customer pull, and until when.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5 sm:grid-cols-2 [&>*]:content-start">
          <FormField label="Type" error={errors.type} description={TYPE_HINTS[type]}>
            <Select name="type" value={type} onChange={(e) => changeType(e.target.value as CustomerTypeValue)}>
              {customerTypes.map((t) => (
                <option key={t} value={t}>
                  {t[0]!.toUpperCase() + t.slice(1)}
                </option>
              ))}
            </Select>
          </FormField>
          <div className="grid content-start gap-1.5">
            <fieldset className="grid gap-1.5">
              <legend className="mb-1.5 text-sm font-medium text-zinc-800">Expires</legend>
              <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
                <label className="flex items-center gap-2 text-sm text-zinc-700">
                  <input type="radio" name="expires" value="never" checked={expires === "never"} onChange={() => setExpires("never")} disabled={type === "community"} />
                  Never
                </label>
                <label className="flex items-center gap-2 text-sm text-zinc-700">
                  <input type="radio" name="expires" value="on" checked={expires === "on"} onChange={() => setExpires("on")} disabled={type === "community"} />
                  On
                </label>
                <Input
                  type="datetime-local"
                  aria-label="Expiry date and time"
                  aria-invalid={errors.expiresAt ? true : undefined}
                  aria-describedby="expires-hint"
                  value={expiresAt}
                  onChange={(e) => {
                    setExpiresAt(e.target.value);
                    setExpires("on");
                  }}
                  disabled={type === "community"}
                  className="w-auto flex-1"
                  suppressHydrationWarning
                />
              </div>
            </fieldset>
            <p id="expires-hint" className="text-[13px] text-zinc-500">
              {type === "community"
                ? "Community licenses never expire."
                : type === "test"
                  ? `Test licenses must expire within ${TEST_LICENSE_MAX_HOURS} hours.`
                  : "In your browser's time zone. Pulls stop at this moment."}
            </p>
            {errors.expiresAt ? <p className="text-[13px] font-medium text-red-600">{errors.expiresAt}</p> : null}
          </div>

          <div className="flex items-start justify-between gap-4 rounded-md border border-zinc-200 px-4 py-3 sm:col-span-2">
            <div>
              <Label htmlFor="registry-access">Registry access</Label>
              <p className="mt-1 text-[13px] text-zinc-500">Off stops every pull with this license at once, without archiving the customer.</p>
              {errors.registryAccess ? <p className="mt-1 text-[13px] font-medium text-red-600">{errors.registryAccess}</p> : null}
            </div>
            <Switch id="registry-access" checked={registryAccess} onCheckedChange={setRegistryAccess} />
          </div>

          <div className="grid content-start gap-1.5 sm:col-span-2">
            <span className="text-sm font-medium text-zinc-800">
              Image patterns <span className="font-normal text-zinc-500">(optional)</span>
            </span>
            <p className="text-[13px] text-zinc-500">
              Limit which images this license may pull, e.g. <code className="font-mono">acme/api</code> or <code className="font-mono">acme/*</code>. Empty
              means every image of the app. {IMAGE_PATTERN_LIMITS_TEXT}
            </p>
            <ImagePatternsEditor value={imagePatterns} onChange={setImagePatterns} describe={(pattern) => <PatternMatches data={preview.data} pattern={pattern} />} />
            <PatternPreview query={preview} patterns={imagePatterns} />
            {errorsUnder("imagePatterns").map((msg) => (
              <p key={msg} className="text-[13px] font-medium text-red-600">
                {msg}
              </p>
            ))}
          </div>

          <div className="grid content-start gap-1.5 sm:col-span-2">
            <span className="text-sm font-medium text-zinc-800">
              Entitlements <span className="font-normal text-zinc-500">(optional)</span>
            </span>
            <p className="text-[13px] text-zinc-500">Named values your app can read, such as seats or tier.</p>
            <EntitlementsEditor value={entitlements} onChange={setEntitlements} messages={entitlementMessages} />
            {Object.entries(errors)
              // Messages of entitlements that have a row are shown under it; the rest (a required one removed) here.
              .filter(([path]) => path === "entitlements" || (path.startsWith("entitlements.") && !rowKeys.has(path.slice("entitlements.".length))))
              .map(([path, msg]) => (path === "entitlements" ? msg : `${path.slice("entitlements.".length)}: ${msg}`))
              .map((msg) => (
              <p key={msg} className="text-[13px] font-medium text-red-600">
                {msg}
              </p>
            ))}
          </div>
        </CardContent>
      </Card>

      <div className="flex gap-2">
        <SubmitButton disabled={pending}>
          {pending ? <Loader2 className="animate-spin" aria-hidden /> : null}
          {customer ? "Save changes" : "Create customer"}
        </SubmitButton>
        <Button type="button" variant="secondary" onClick={() => router.back()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
