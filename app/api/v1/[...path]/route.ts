import { errorResponse } from "@/lib/api/responses";

// Unknown /api/v1 paths answer with the API's JSON error shape, never Next's HTML 404 page.
function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return errorResponse(404, "not_found", `No API endpoint at ${request.method} ${path}.`);
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
