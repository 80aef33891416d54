import { apiHandler } from "@/lib/api/api-handler";
import { getInstallInstructions } from "@/lib/customers/get-install-instructions";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => ({ install: await getInstallInstructions(actor, params.id!) }));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
