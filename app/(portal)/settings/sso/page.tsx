import type { Metadata } from "next";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { SsoSettingsForm } from "@/components/sso/sso-settings-form";
import { requireSessionActor } from "@/lib/auth/session";
import { getSsoSettings } from "@/lib/sso/sso-settings";
import { ssoRedirectUri } from "@/lib/sso/oidc-configuration";
import { config } from "@/lib/config";

export const metadata: Metadata = { title: "Single sign-on · Pullgate" };

export default async function SsoSettingsPage() {
  const actor = await requireSessionActor();
  const settings = await getSsoSettings(actor);
  const signInUrl = `${config.portalUrl.replace(/\/+$/, "")}/sso/${actor.teamId}/start`;
  return (
    <>
      <PageHeader title="Single sign-on" description="Members sign in through your OpenID Connect provider (Okta, Entra ID, Google Workspace, Keycloak…)." />
      <div className="grid gap-6 [&>*]:min-w-0">
        <Card>
          <CardHeader>
            <CardTitle>At your identity provider</CardTitle>
            <CardDescription>Register an OIDC web application with this redirect URI, then share the sign-in link with your team.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-2 text-sm">
            <p>
              Redirect URI: <code data-testid="sso-redirect-uri" className="break-all font-mono">{ssoRedirectUri(actor.teamId)}</code>
            </p>
            <p>
              Sign-in link: <code data-testid="sso-sign-in-url" className="break-all font-mono">{signInUrl}</code>
            </p>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Provider</CardTitle>
            <CardDescription>Only owners change these. The client secret is stored encrypted and never shown again.</CardDescription>
          </CardHeader>
          <CardContent>
            <SsoSettingsForm settings={settings} editable={actor.role === "owner"} />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
