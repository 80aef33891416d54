import { apiHandler } from "@/lib/api/api-handler";
import { prisma } from "@/lib/db/client";
import { rotateSigningKey } from "@/lib/signing-keys/rotate-signing-key";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const POST = apiHandler({}, async ({ actor }) => rotateSigningKey(prisma, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["POST"]);
