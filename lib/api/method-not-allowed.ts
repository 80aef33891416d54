import { errorResponse } from "@/lib/api/responses";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];
type Handler = ((request: Request) => Promise<Response>) & { notAllowed?: true };

/**
 * Handlers for the methods a route does not support, so they answer with the
 * API's JSON error and an Allow header instead of Next's empty 405:
 *   export const { PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "POST"]);
 */
export function otherMethodsNotAllowed(allowed: Method[]): Record<Method, Handler> {
  const allow = allowed.join(", ");
  const handler: Handler = async (request) => {
    const res = errorResponse(405, "method_not_allowed", `${request.method} is not supported here; use ${allow}.`);
    res.headers.set("allow", allow);
    return res;
  };
  // Lets the OpenAPI coverage test tell these apart from real endpoints.
  handler.notAllowed = true;
  return Object.fromEntries(METHODS.map((m) => [m, handler])) as Record<Method, Handler>;
}
