import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { getCustomer } from "@/lib/customers/get-customer";
import { licenseFileName, signLicenseFile, type SignedLicenseFile } from "@/lib/licenses/license-file";

/** A customer's license file, signed now with the team's current key; another team's customer is "not found". */
export async function getCustomerLicenseFile(actor: Pick<Actor, "teamId">, customerId: string): Promise<SignedLicenseFile & { fileName: string }> {
  const customer = await getCustomer(actor, customerId);
  const signed = await signLicenseFile(prisma, { licenseId: customer.license.licenseId, teamId: actor.teamId });
  if (!signed) throw new NotFoundError("Customer");
  return { ...signed, fileName: licenseFileName(signed.claims) };
}

/** The file as a download: the compact JWS, never cached. */
export function licenseFileResponse(file: SignedLicenseFile & { fileName: string }): Response {
  return new Response(file.token, {
    status: 200,
    headers: {
      "content-type": "application/jwt",
      "content-disposition": `attachment; filename="${file.fileName}"`,
      "cache-control": "no-store",
    },
  });
}
