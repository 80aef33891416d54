import type { Metadata } from "next";
import { Suspense } from "react";
import { AlertTriangle } from "lucide-react";
import { ArchiveButton } from "@/components/customers/customer-controls";
import { CustomerHeader } from "@/components/customers/customer-header";
import { ImageRewriter } from "@/components/customers/image-rewriter";
import { InstallImages } from "@/components/customers/install-images";
import { Skeleton } from "@/components/ui/skeleton";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CodeBlock } from "@/components/ui/code-block";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { orNotFound } from "@/lib/actions/or-not-found";
import { getApp } from "@/lib/apps/get-app";
import { getCustomer } from "@/lib/customers/get-customer";
import { getCustomerPullSecret } from "@/lib/customers/get-customer-pull-secret";
import { getInstallInstructions } from "@/lib/customers/get-install-instructions";
import type { Actor } from "@/lib/auth/actor";
import { getLicenseStatus } from "@/lib/licenses/license-status";

export const metadata: Metadata = { title: "Install · Pullgate" };

function Step({ n, title, description, children }: { n: number; title: string; description: React.ReactNode; children: React.ReactNode }) {
  return (
    <Card>
      <CardHeader className="flex-row items-start gap-3">
        <span className="flex size-6 shrink-0 items-center justify-center rounded-full bg-zinc-900 text-xs font-semibold text-white">{n}</span>
        <div className="grid gap-1">
          <CardTitle>{title}</CardTitle>
          <CardDescription>{description}</CardDescription>
        </div>
      </CardHeader>
      <CardContent className="grid gap-4">{children}</CardContent>
    </Card>
  );
}

/** What the vendor sends the customer: credentials in every form a cluster needs, and image paths through the proxy. */
export default async function InstallPage({ params }: { params: Promise<{ customerId: string }> }) {
  const actor = await requireSessionActor();
  const { customerId } = await params;
  const customer = await orNotFound(getCustomer(actor, customerId));
  const [app, secret] = await Promise.all([getApp(actor, customer.appId), getCustomerPullSecret(actor, customer.id)]);
  const status = getLicenseStatus({ expiresAt: customer.license.expiresAt, registryAccess: customer.license.registryAccess, archivedAt: customer.archivedAt });
  const prettyConfig = JSON.stringify(JSON.parse(secret.dockerconfigjson), null, 2);

  return (
    <>
      <CustomerHeader
        customer={customer}
        app={app}
        status={status}
        active="install"
        actions={canWrite(actor) && customer.archivedAt ? <ArchiveButton customerId={customer.id} archived name={customer.name} /> : null}
      />
      {!status.mayPull ? (
        <div role="status" className="mb-6 flex items-start gap-2.5 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
          <p>These instructions are correct, but pulls are refused right now: {status.reason}.</p>
        </div>
      ) : null}
      <div className="grid gap-6 [&>*]:min-w-0">
        <Step
          n={1}
          title="Log in to the registry"
          description={
            <>
              The license ID is the password; the username is {secret.username === "LICENSE_ID" ? "LICENSE_ID (any value works)" : "the customer's email (any value works)"}.
            </>
          }
        >
          <CodeBlock
            title="Docker"
            code={secret.dockerLogin}
            copyLabel="Copy docker login command"
            className="[&_pre]:whitespace-pre-wrap [&_pre]:break-all"
          />
        </Step>
        <Step
          n={2}
          title="Create the image pull secret"
          description="For Kubernetes: apply this Secret in the namespace the application runs in."
        >
          <CodeBlock title="Kubernetes Secret (pullgate-registry.yaml)" code={secret.secretYaml} copyLabel="Copy Kubernetes Secret" />
          <CodeBlock title=".dockerconfigjson" code={prettyConfig} copyLabel="Copy .dockerconfigjson" />
        </Step>
        <Step n={3} title="Reference the secret" description="In the Helm chart's values, so every pod pulls with the license.">
          <CodeBlock title="Helm values" code={secret.helmValues} copyLabel="Copy Helm values" />
        </Step>
        <Suspense fallback={<ImagesLoading />}>
          <ImageSteps actor={actor} customerId={customer.id} canWrite={canWrite(actor)} />
        </Suspense>
      </div>
    </>
  );
}

function ImagesLoading() {
  return (
    <Card aria-busy="true" aria-label="Reading the app's images from its registries">
      <CardHeader>
        <CardTitle>Images</CardTitle>
        <CardDescription>Reading the app&apos;s images from its registries…</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        <Skeleton className="h-24" />
        <Skeleton className="h-24" />
      </CardContent>
    </Card>
  );
}

/** Steps 4 and 5: read from the registries (cached), so they stream in after the credentials. */
async function ImageSteps({ actor, customerId, canWrite: writable }: { actor: Actor; customerId: string; canWrite: boolean }) {
  const install = await getInstallInstructions(actor, customerId);
  const first = install.images[0];
  const firstRegistry = first ? install.registries.find((r) => r.id === first.registryId) : undefined;
  const example =
    first && firstRegistry
      ? `${firstRegistry.provider === "dockerhub" ? "docker.io" : firstRegistry.endpoint}/${first.repository}${first.tag ? `:${first.tag}` : ""}`
      : "";
  return (
    <>
      <Step
        n={4}
        title="Pull the images"
        description={
          <>
            Every image this license covers, through the proxy (app <code className="font-mono">{install.appSlug}</code>). Copy a reference into the chart&apos;s
            values, or run its <code className="font-mono">docker pull</code> line.
          </>
        }
      >
        <InstallImages
          images={install.images}
          moreImages={install.moreImages}
          registries={install.registries}
          hosts={install.hosts}
          appSlug={install.appSlug}
          appId={install.appId}
          canWrite={writable}
        />
      </Step>
      <Step
        n={5}
        title="Rewrite any other reference"
        description="Paste an image as your registry names it; the path through Pullgate uses the registry's alias (or its host)."
      >
        <ImageRewriter hosts={install.hosts} appSlug={install.appSlug} registries={install.rewriteRegistries} example={example} />
      </Step>
    </>
  );
}
