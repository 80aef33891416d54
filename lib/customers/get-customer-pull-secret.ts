import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { config } from "@/lib/config";
import { getCustomer } from "@/lib/customers/get-customer";
import { buildPullSecret, type PullSecret } from "@/lib/customers/pull-secret";

/**
 * Proxy hosts a customer of this app can pull from: PROXY_PUBLIC_HOST plus
 * the team's verified custom domains (for all apps or this app); a verified
 * default domain comes first.
 */
export async function proxyHostsForApp(teamId: string, appId: string): Promise<string[]> {
  const domains = await prisma.customDomain.findMany({
    where: { teamId, status: "verified", OR: [{ appId: null }, { appId }] },
    orderBy: [{ isDefault: "desc" }, { createdAt: "asc" }],
    select: { hostname: true, isDefault: true },
  });
  const preferred = domains.filter((d) => d.isDefault).map((d) => d.hostname);
  const others = domains.filter((d) => !d.isDefault).map((d) => d.hostname);
  return [...new Set([...preferred, config.proxyPublicHost, ...others])];
}

export async function getCustomerPullSecret(
  actor: Pick<Actor, "teamId">,
  customerId: string,
  options: { namespace?: string } = {},
): Promise<PullSecret & { appSlug: string }> {
  const customer = await getCustomer(actor, customerId);
  // Independent reads: in parallel, one round trip instead of two.
  const [app, hosts] = await Promise.all([
    prisma.app.findFirstOrThrow({ where: { id: customer.appId, teamId: actor.teamId }, select: { slug: true } }),
    proxyHostsForApp(actor.teamId, customer.appId),
  ]);
  return { ...buildPullSecret({ licenseId: customer.license.licenseId, email: customer.email, hosts, namespace: options.namespace }), appSlug: app.slug };
}
