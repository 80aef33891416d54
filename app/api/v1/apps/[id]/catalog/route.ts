import { apiHandler } from "@/lib/api/api-handler";
import { describeAppCatalog } from "@/lib/catalog/app-catalog";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => ({ catalog: await describeAppCatalog(actor, params.id!) }));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
