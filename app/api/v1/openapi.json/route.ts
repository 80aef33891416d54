import { apiHandler } from "@/lib/api/api-handler";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({ auth: "none" }, ({ request }) => buildOpenApiDocument(new URL(request.url).origin));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
