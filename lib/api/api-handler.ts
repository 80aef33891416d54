import type { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { DomainError, UnauthenticatedError, ValidationError } from "@/lib/errors";
import { verifyApiToken } from "@/lib/api-tokens/verify-api-token";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { assertStorableText } from "@/lib/validation/storable-text";
import { MAX_REQUEST_BODY_BYTES } from "@/lib/http/request-limits";
import { errorToResponse } from "@/lib/api/error-to-response";
import { jsonResponse } from "@/lib/api/responses";

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export type ApiHandlerOptions<Q extends Schema | undefined, B extends Schema | undefined, A extends "token" | "none"> = {
  /** Query-string schema; values arrive as strings (repeated keys as arrays). Use strictObject. */
  query?: Q;
  /** JSON body schema. Use strictObject so unknown fields are rejected. */
  body?: B;
  /** "token" (default): Authorization: Bearer <api token> required. */
  auth?: A;
};

export type ApiHandlerContext<Q, B, A> = {
  actor: A extends "none" ? null : Actor;
  query: Out<Q>;
  body: Out<B>;
  params: Record<string, string>;
  request: Request;
};

export type ApiRouteHandler = ((request: Request, context?: RouteContext) => Promise<Response>) & {
  apiOptions: { query: Schema | undefined; auth: "token" | "none" };
};

type RouteContext = { params?: Promise<Record<string, string | string[] | undefined>> | Record<string, string | string[] | undefined> };

/**
 * Wraps an app/api/v1 route handler: authenticates the API token, validates
 * query and body with zod, and turns results and errors into JSON responses.
 * A handler returns a Response as is, or any value to send as 200 JSON.
 */
export function apiHandler<
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  A extends "token" | "none" = "token",
>(
  options: ApiHandlerOptions<Q, B, A>,
  handler: (ctx: ApiHandlerContext<Q, B, A>) => Promise<Response | unknown> | Response | unknown,
): ApiRouteHandler {
  const route = async (request: Request, context?: RouteContext): Promise<Response> => {
    const url = new URL(request.url);
    try {
      let actor: Actor | null = null;
      if ((options.auth ?? "token") === "token") {
        actor = await authenticate(request);
      }
      const params = await readParams(context);
      // Path segments reach queries without a schema: refused here like any other text Postgres cannot store.
      assertStorableText(params, "(path)");
      const query = options.query ? parseOrThrow(options.query, readQuery(url)) : undefined;
      const body = options.body ? parseOrThrow(options.body, await readJsonBody(request)) : undefined;
      const result = await handler({ actor, query, body, params, request } as ApiHandlerContext<Q, B, A>);
      if (result instanceof Response) return result;
      return jsonResponse(result ?? {}, 200);
    } catch (error) {
      return errorToResponse(error, { method: request.method, path: url.pathname });
    }
  };
  // The OpenAPI drift test compares these with the route's declared operation.
  return Object.assign(route, { apiOptions: { query: options.query, auth: options.auth ?? "token" } as const });
}

async function authenticate(request: Request): Promise<Actor> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new UnauthenticatedError();
  const actor = await verifyApiToken(match[1]);
  if (!actor) throw new UnauthenticatedError("The API token is invalid or revoked.");
  return actor;
}

async function readParams(context?: RouteContext): Promise<Record<string, string>> {
  const raw = context?.params ? await context.params : {};
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (typeof value === "string") params[key] = value;
    else if (Array.isArray(value)) params[key] = value.join("/");
  }
  return params;
}

function readQuery(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

/**
 * Request bodies of this API are small JSON objects. The portal server refuses
 * bigger ones before they are read; this is the same bound for a handler run
 * without it (tests call handlers directly).
 */
const MAX_BODY_BYTES = MAX_REQUEST_BODY_BYTES;

async function readJsonBody(request: Request): Promise<unknown> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) throw bodyTooLarge();
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw bodyTooLarge();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError("The request body is not valid JSON.", [{ path: "(body)", message: "Not valid JSON." }]);
  }
}

function bodyTooLarge(): DomainError {
  return new DomainError(413, "payload_too_large", `The request body must be at most ${MAX_BODY_BYTES} bytes.`);
}
