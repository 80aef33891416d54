import { apiHandler } from "@/lib/api/api-handler";
import { prisma } from "@/lib/db/client";
import { publishedJwks } from "@/lib/signing-keys/published-keys";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

/** The team's license-signing public keys as a JWK Set (the current key is created on first use). */
export const GET = apiHandler({}, async ({ actor }) => publishedJwks(prisma, actor.teamId));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
