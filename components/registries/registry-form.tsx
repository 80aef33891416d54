"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Loader2, PlugZap, Upload } from "lucide-react";
import {
  createRegistryAction,
  testRegistryDraftAction,
  updateRegistryAction,
} from "@/app/(portal)/settings/registries/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { ConnectionResult } from "@/components/registries/connection-result";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toaster";
import { PROVIDERS, REGISTRY_PROVIDERS } from "@/lib/registries/providers";
import { isHostPathComponent, typedHost as hostOf } from "@/lib/registries/path-segment";
import type { RegistryDto } from "@/lib/registries/registry-dto";
import type { ConnectionTestResult } from "@/lib/registries/test-registry-connection";
import type { RegistryProvider } from "@/lib/generated/prisma/enums";

type Props = {
  apps: { id: string; name: string }[];
  /** Editing a saved registry; absent when linking a new one. */
  registry?: RegistryDto;
};

/**
 * Link / edit a registry. Asks only what the chosen provider needs; the
 * server action validates with the API's schema and, unless "save without
 * testing" is ticked, saves only after a successful connection test.
 */
export function RegistryForm({ apps, registry }: Props) {
  const router = useRouter();
  const editing = Boolean(registry);
  const [provider, setProvider] = React.useState<RegistryProvider>(registry?.provider ?? "dockerhub");
  const info = PROVIDERS[provider];
  const [endpoint, setEndpoint] = React.useState(registry && !PROVIDERS[registry.provider].fixedEndpoint ? registry.endpoint : "");
  const [username, setUsername] = React.useState(registry && PROVIDERS[registry.provider].usernameLabel ? registry.username : "");
  const [password, setPassword] = React.useState("");
  const [name, setName] = React.useState(registry?.name ?? "");
  const [allowHttp, setAllowHttp] = React.useState(registry?.allowHttp ?? false);
  const [access, setAccess] = React.useState<"all" | "chosen">(registry && !registry.allApps ? "chosen" : "all");
  const [appIds, setAppIds] = React.useState<string[]>(registry?.appIds ?? []);
  const [skipValidation, setSkipValidation] = React.useState(false);
  const [image, setImage] = React.useState("");
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [testResult, setTestResult] = React.useState<ConnectionTestResult>();
  const [saving, startSaving] = React.useTransition();
  const [testing, startTesting] = React.useTransition();

  /** The body the REST API takes, with only the fields this provider uses. */
  function fields() {
    const body: Record<string, unknown> = { provider, name: name.trim() || null };
    if (!info.fixedEndpoint) body.endpoint = endpoint.trim() || info.defaultEndpoint || "";
    if (info.usernameLabel) body.username = username;
    if (provider === "other") body.allowHttp = allowHttp;
    body.appIds = access === "all" ? null : appIds;
    if (!editing || password !== "") body.password = password;
    return body;
  }

  function report(result: { message: string; fieldErrors: Record<string, string> }) {
    setErrors(result.fieldErrors);
    setMessage(result.message);
  }

  function testConnection() {
    setTestResult(undefined);
    startTesting(async () => {
      const body = fields();
      const input = registry ? { ...body, existingId: registry.id } : body;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- validated on the server with the provider's schema
      const result = await testRegistryDraftAction(input as any, image.trim() || undefined);
      if (result.ok) {
        setErrors({});
        setMessage(undefined);
        setTestResult(result.data);
      } else {
        report(result);
      }
    });
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startSaving(async () => {
      const body = { ...fields(), skipValidation };
      const result = registry
        ? await updateRegistryAction(registry.id, body)
        : // eslint-disable-next-line @typescript-eslint/no-explicit-any -- validated on the server with the provider's schema
          await createRegistryAction(body as any);
      if (result.ok) {
        toast.success(registry ? "Registry saved." : `Registry ${result.data.name ?? result.data.endpoint} linked.`);
        // The action revalidated the list; a refresh() here could race the push and re-render this form.
        router.push("/settings/registries");
        return;
      }
      report(result);
    });
  }

  async function uploadKey(event: React.ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file) setPassword(await file.text());
    event.target.value = "";
  }

  // A stored secret is only ever sent to the host and username it was saved for (the server enforces it too).
  // (An anonymous "other" registry, saved without username, has no secret to protect.)
  const rebinding =
    registry !== undefined &&
    !(registry.provider === "other" && registry.username === "") &&
    ((!info.fixedEndpoint && (endpoint.trim().toLowerCase() || info.defaultEndpoint) !== registry.endpoint) ||
      (info.usernameLabel !== null && username.trim() !== registry.username) ||
      (allowHttp && !registry.allowHttp));
  const passwordHint = editing
    ? rebinding
      ? "Required again: the stored one is only sent to the host and username it was saved for."
      : "Leave blank to keep the current one."
    : undefined;
  // A host:port cannot appear in an image path: such a registry is reached through its alias.
  const typedHost = info.fixedEndpoint ? "" : hostOf(endpoint);
  const aliasRequired = Boolean(typedHost) && !isHostPathComponent(typedHost) && !(access === "chosen" && appIds.length === 0);

  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-6" data-testid="registry-form">
      <FormAlert message={message} />
      <Card>
        <CardHeader>
          <CardTitle>Registry</CardTitle>
          <CardDescription>{info.help} Pullgate only ever pulls: read-only credentials are enough.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5 sm:grid-cols-2">
          <FormField label="Provider" error={errors.provider} className="sm:col-span-2">
            <Select
              name="provider"
              value={provider}
              disabled={editing}
              onChange={(e) => {
                setProvider(e.target.value as RegistryProvider);
                setTestResult(undefined);
                setErrors({});
              }}
            >
              {REGISTRY_PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {PROVIDERS[p].label}
                </option>
              ))}
            </Select>
          </FormField>
          {info.fixedEndpoint ? null : (
            <FormField
              label={info.endpointLabel}
              error={errors.endpoint}
              optional={Boolean(info.defaultEndpoint)}
              className="sm:col-span-2"
            >
              <Input
                name="endpoint"
                value={endpoint}
                onChange={(e) => setEndpoint(e.target.value)}
                placeholder={info.endpointPlaceholder}
                autoComplete="off"
                spellCheck={false}
              />
            </FormField>
          )}
          {info.usernameLabel ? (
            <FormField label={info.usernameLabel} error={errors.username} optional={info.credentialsOptional}>
              <Input
                name="username"
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                placeholder={info.usernamePlaceholder}
                autoComplete="off"
                spellCheck={false}
              />
            </FormField>
          ) : null}
          {info.passwordIsJsonKey ? (
            <FormField
              label={info.passwordLabel}
              error={errors.password}
              description={passwordHint ?? "Paste the key, or upload the .json file."}
              labelAside={
                <label className="inline-flex cursor-pointer items-center gap-1 text-[13px] font-medium text-zinc-700 hover:text-zinc-900">
                  <Upload className="size-3.5" aria-hidden />
                  Upload
                  <input type="file" accept="application/json,.json" className="sr-only" onChange={uploadKey} />
                </label>
              }
              className="sm:col-span-2"
            >
              <Textarea
                name="password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                rows={5}
                placeholder='{"type": "service_account", …}'
                className="font-mono text-xs"
                spellCheck={false}
                autoComplete="off"
              />
            </FormField>
          ) : (
            <FormField
              label={info.passwordLabel}
              error={errors.password}
              optional={info.credentialsOptional && !rebinding}
              description={passwordHint}
            >
              <Input
                name="password"
                type="password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                placeholder={editing && !rebinding ? "••••••••  (unchanged)" : undefined}
                autoComplete="new-password"
              />
            </FormField>
          )}
          {provider === "other" ? (
            <div className="flex items-start gap-3 sm:col-span-2">
              <Switch id="allow-http" checked={allowHttp} onCheckedChange={setAllowHttp} aria-describedby="allow-http-hint" />
              <div className="grid gap-1">
                <Label htmlFor="allow-http">Allow plain HTTP</Label>
                <p id="allow-http-hint" className="text-[13px] text-zinc-500">
                  For registries without TLS, or with a certificate that cannot be verified. Private and loopback addresses are
                  refused unless the Pullgate operator allows them.
                </p>
                {errors.allowHttp ? <p className="text-[13px] font-medium text-red-600">{errors.allowHttp}</p> : null}
              </div>
            </div>
          ) : null}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Name and access</CardTitle>
          <CardDescription>How image paths refer to this registry, and which apps may pull from it.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5">
          <FormField
            label="Alias"
            optional={!aliasRequired}
            error={errors.name}
            description={
              aliasRequired
                ? `Required: ${typedHost} has a port, and image paths cannot contain one (docker, podman, skopeo and containerd reject them). Customers pull proxy/<app>/<alias>/<image>. Lowercase letters, digits, '_' and '-'.`
                : "Used in image paths instead of the host, e.g. proxy/<app>/acme/api:1.0. Lowercase letters, digits, '_' and '-'; no '.' or ':'."
            }
          >
            <Input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="acme" maxLength={63} spellCheck={false} />
          </FormField>
          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-medium text-zinc-900">App access</legend>
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="access" checked={access === "all"} onChange={() => setAccess("all")} />
              All apps of the team
            </label>
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="access" checked={access === "chosen"} onChange={() => setAccess("chosen")} />
              Only chosen apps
            </label>
            {access === "chosen" ? (
              <div className="ml-6 grid gap-2" role="group" aria-label="Apps">
                {apps.length === 0 ? <p className="text-[13px] text-zinc-500">This team has no apps yet.</p> : null}
                {apps.map((app) => (
                  <label key={app.id} className="flex items-center gap-2 text-sm">
                    <Checkbox
                      checked={appIds.includes(app.id)}
                      onCheckedChange={(checked) =>
                        setAppIds((ids) => (checked === true ? [...ids, app.id] : ids.filter((id) => id !== app.id)))
                      }
                    />
                    {app.name}
                  </label>
                ))}
              </div>
            ) : null}
            {errors.appIds ? <p className="text-[13px] font-medium text-red-600">{errors.appIds}</p> : null}
          </fieldset>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Connection test</CardTitle>
          <CardDescription>
            Performs the registry handshake with these credentials; with an image, also checks that it can be pulled.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
            <FormField label="Image to check" optional className="flex-1">
              <Input value={image} onChange={(e) => setImage(e.target.value)} placeholder="acme/api:1.0" spellCheck={false} />
            </FormField>
            <Button type="button" variant="secondary" onClick={testConnection} disabled={testing || saving}>
              {testing ? <Loader2 className="animate-spin" aria-hidden /> : <PlugZap aria-hidden />}
              Test connection
            </Button>
          </div>
          {testResult ? <ConnectionResult result={testResult} /> : null}
        </CardContent>
      </Card>

      {/* The option sits before the buttons on phones too: it changes what the submit button does. */}
      <div className="flex flex-col gap-4 sm:flex-row sm:items-center sm:justify-between">
        <label className="flex items-center gap-2 text-sm text-zinc-700">
          <Checkbox checked={skipValidation} onCheckedChange={(checked) => setSkipValidation(checked === true)} />
          Save without testing
        </label>
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => router.push("/settings/registries")}>
            Cancel
          </Button>
          <SubmitButton disabled={saving || testing}>
            {saving ? <Loader2 className="animate-spin" aria-hidden /> : null}
            {registry ? "Save changes" : "Link registry"}
          </SubmitButton>
        </div>
      </div>
    </form>
  );
}
