"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { requireId, runAction, type ActionResult } from "@/lib/actions/action-result";
import { addDomain } from "@/lib/domains/add-domain";
import { verifyDomain } from "@/lib/domains/verify-domain";
import { removeDomain } from "@/lib/domains/remove-domain";
import { setDefaultDomain } from "@/lib/domains/set-default-domain";
import { toDomainDto, type DomainDto } from "@/lib/domains/domain-dto";
import type { CreateDomainInput } from "@/lib/domains/schemas";

// Thin wrappers over lib/domains, which validates with the same zod schema as
// the REST API, refuses members and scopes every query by the session's team.

const PAGE = "/settings/domains";

export async function addDomainAction(input: CreateDomainInput): Promise<ActionResult<DomainDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const domain = toDomainDto(await addDomain(actor, input));
    revalidatePath(PAGE);
    return domain;
  });
}

export async function verifyDomainAction(domainId: string): Promise<ActionResult<DomainDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const domain = toDomainDto(await verifyDomain(actor, requireId(domainId, "Domain")));
    revalidatePath(PAGE);
    return domain;
  });
}

export async function removeDomainAction(domainId: string): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await removeDomain(actor, requireId(domainId, "Domain"));
    revalidatePath(PAGE);
    return undefined;
  });
}

export async function setDefaultDomainAction(domainId: string, isDefault: boolean): Promise<ActionResult<DomainDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const domain = toDomainDto(await setDefaultDomain(actor, requireId(domainId, "Domain"), isDefault === true));
    revalidatePath(PAGE);
    return domain;
  });
}
