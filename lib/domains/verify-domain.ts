import type { CustomDomain } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { NotFoundError } from "@/lib/errors";
import { createDomainResolver, type DomainResolver } from "@/lib/domains/dns-resolver";
import { getDomain } from "@/lib/domains/get-domain";
import { storeDomainCheck } from "@/lib/domains/store-domain-check";

/**
 * "Verify now": checks the TXT and CNAME records at once. The TXT record
 * holding the token verifies the domain; a wrong or missing one keeps it
 * pending with the reason; a verified domain stays verified.
 */
export async function verifyDomain(
  actor: Actor,
  domainId: string,
  options: { resolver?: DomainResolver; now?: Date } = {},
): Promise<CustomDomain> {
  assertCanWrite(actor);
  const domain = await getDomain(actor, domainId);
  const updated = await storeDomainCheck(domain, {
    actor,
    resolver: options.resolver ?? createDomainResolver(),
    now: options.now ?? new Date(),
    auditEveryCheck: true,
  });
  if (!updated) throw new NotFoundError("Domain");
  return updated;
}
