import type { Actor } from "@/lib/auth/actor";
import { getCustomer } from "@/lib/customers/get-customer";
import type { CustomerWithLicense } from "@/lib/customers/customer-dto";
import { proxyHostsForApp } from "@/lib/customers/get-customer-pull-secret";
import { buildPullSecret } from "@/lib/customers/pull-secret";
import type { RewriteRegistry } from "@/lib/customers/rewrite-image";
import { getAppCatalog, imageKey, MAX_IMAGES_WITH_TAGS, tagsForImages, type CatalogRegistry } from "@/lib/catalog/app-catalog";
import { coveredImages } from "@/lib/catalog/covered-images";
import { suggestTag } from "@/lib/catalog/suggest-tag";
import { draftLicense } from "@/lib/licenses/decide-pull";
import { getLicenseStatus } from "@/lib/licenses/license-status";

// Everything a vendor hands a customer, built from the team's linked
// registries and the app's catalog: credentials in every form a cluster
// needs, and for each image the license covers the exact reference through
// the proxy (default host first), the tags it can pull and a `docker pull`
// line. The image list is the catalog filtered by decidePull, the function
// the proxy decides every request with.

export type InstallImage = {
  registryId: string;
  /** The registry's alias or host, as in the path. */
  segment: string;
  repository: string;
  /** `<default host>/proxy/<app>/<segment>/<repository>`. */
  reference: string;
  tags: string[];
  tagsTruncated: boolean;
  /** Why the tags could not be read (the last known ones are shown when there are any). */
  tagsError: string | null;
  /** The tag the pull line uses: latest when there is one, else the highest version. */
  tag: string | null;
  /** `docker pull <reference>:<tag>`, null when no tag is known. */
  pull: string | null;
};

export type InstallRegistry = Pick<
  CatalogRegistry,
  "id" | "provider" | "endpoint" | "name" | "segment" | "problem" | "source" | "catalogError" | "unavailableReason" | "checkedAt" | "stale"
>;

export type InstallInstructions = {
  customerId: string;
  appId: string;
  appSlug: string;
  /** Proxy hosts, the default first (a verified default custom domain, else PROXY_PUBLIC_HOST). */
  hosts: string[];
  username: string;
  dockerLogin: string;
  dockerconfigjson: string;
  secretYaml: string;
  helmValues: string;
  /** Whether the license may pull right now (the instructions stay correct either way). */
  mayPull: boolean;
  refusal: string | null;
  images: InstallImage[];
  /** Images the license covers beyond the ones listed (MAX_IMAGES_WITH_TAGS are listed). */
  moreImages: number;
  registries: InstallRegistry[];
  /** What the image rewriter resolves against (no secrets). */
  rewriteRegistries: RewriteRegistry[];
};

export async function getInstallInstructions(actor: Pick<Actor, "teamId">, customerId: string, now = new Date()): Promise<InstallInstructions> {
  return installInstructionsFor(actor, await getCustomer(actor, customerId), now);
}

/**
 * The same for a customer already read (of the actor's team: getCustomer), as
 * the customer's page has it: the hosts and the catalog are read in parallel
 * and the pull secret is built from them, without reading the customer again
 * (the catalog reads the app once; getCustomerPullSecret's own app read is not needed).
 */
export async function installInstructionsFor(actor: Pick<Actor, "teamId">, customer: CustomerWithLicense, now = new Date()): Promise<InstallInstructions> {
  const [hosts, catalog] = await Promise.all([proxyHostsForApp(actor.teamId, customer.appId), getAppCatalog(actor, customer.appId)]);
  const secret = buildPullSecret({ licenseId: customer.license.licenseId, email: customer.email, hosts });
  const { license } = customer;
  const status = getLicenseStatus({ expiresAt: license.expiresAt, registryAccess: license.registryAccess, archivedAt: customer.archivedAt }, now);

  // The images the license's patterns cover (whether it may pull right now is `mayPull`).
  const covered = coveredImages(
    { app: catalog.app, registries: catalog.decisionRegistries, license: draftLicense(customer.teamId, customer.appId, license.imagePatterns), now },
    catalog.images,
  );
  const listed = covered.slice(0, MAX_IMAGES_WITH_TAGS);
  const tags = await tagsForImages(actor, listed);
  const host = secret.hosts[0]!;
  const images: InstallImage[] = listed.map((image) => {
    const found = tags.get(imageKey(image));
    const reference = `${host}/proxy/${catalog.app.slug}/${image.segment}/${image.repository}`;
    const tag = suggestTag(found?.tags ?? []);
    return {
      registryId: image.registryId,
      segment: image.segment,
      repository: image.repository,
      reference,
      tags: found?.tags ?? [],
      tagsTruncated: found?.truncated ?? false,
      tagsError: found?.missing ? `${image.repository} was not found on the registry.` : (found?.error ?? null),
      tag,
      pull: tag ? `docker pull ${reference}:${tag}` : null,
    };
  });

  return {
    customerId: customer.id,
    appId: catalog.app.id,
    appSlug: catalog.app.slug,
    hosts: secret.hosts,
    username: secret.username,
    dockerLogin: secret.dockerLogin,
    dockerconfigjson: secret.dockerconfigjson,
    secretYaml: secret.secretYaml,
    helmValues: secret.helmValues,
    mayPull: status.mayPull,
    refusal: status.mayPull ? null : (status.reason ?? null),
    images,
    moreImages: covered.length - listed.length,
    registries: catalog.registries.map(({ truncated: _truncated, ...r }) => r),
    rewriteRegistries: catalog.decisionRegistries.map((r) => ({
      provider: r.provider,
      endpoint: r.endpoint,
      name: r.name,
      usable: r.allApps || r.appIds.includes(catalog.app.id),
    })),
  };
}
