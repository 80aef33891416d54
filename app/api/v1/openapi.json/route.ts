import { apiHandler } from "@/lib/api/api-handler";
import { buildOpenApiDocument } from "@/lib/api/openapi";

export const GET = apiHandler({ auth: "none" }, ({ request }) => buildOpenApiDocument(new URL(request.url).origin));
