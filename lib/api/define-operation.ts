import { z } from "zod";

/*
 * One declaration per REST operation. lib/api/openapi.ts turns the list in
 * lib/api/operations/ into the OpenAPI 3.1 document with zod's own JSON Schema
 * output, from the very schema objects the routes validate with, and
 * tests/api/openapi-coverage.test.ts fails when a route file under app/api/v1
 * exports a handler without an operation here, or the other way round.
 *
 * Adding an endpoint: write the route, then one `defineOperation({...})` in the
 * domain's file under lib/api/operations/ (and list it in index.ts if the file
 * is new). Converting an entry of the old hand-written document is mechanical:
 *
 *   "/api/v1/x/{id}": { parameters: idParam,              defineOperation({
 *     post: {                                                method: "post", path: "/api/v1/x/{id}",
 *       summary: "S",                                        summary: "S",
 *       requestBody: { required: true, ...json(ref("In")) }, body: inSchema,            // the zod object itself
 *       responses: { 201: { description: "D",               response: { status: 201, description: "D",
 *         ...envelope("x", "X") }, ...errors(400, 404) },      schema: z.object({ x: xSchema }) },
 *     } }                                                    errors: [400, 404] })
 *
 * Also: `parameters: queryParameters(qSchema)` → `query: qSchema`; `...json(ref("X"))`
 * with a response zod schema `xSchema` → `component("X", xSchema)` once, then use
 * xSchema; a special answer such as 422 → `otherResponses: [{ status: 422, description }]`;
 * a status text other than the generic one → `errorDescriptions: { 400: "..." }`;
 * `auth: "none"` for routes built with apiHandler({ auth: "none" }).
 *
 * Path parameters come from `{name}` in the path; `query` takes the very
 * schema object the route passes to apiHandler (the drift test checks it is
 * the same object), each key becoming a query parameter. A response
 * schema registered with `component("Name", schema)` appears once under
 * components.schemas and is referenced by $ref everywhere else.
 */

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export type OperationResponse = {
  /** Default 200. */
  status?: number;
  description: string;
  /** JSON body (output side of the schema); omit for an empty body (204). */
  schema?: z.ZodType;
  /** A non-JSON body, e.g. text/csv. */
  contentType?: string;
};

export type Operation = {
  method: HttpMethod;
  /** OpenAPI form, path parameters in braces: /api/v1/customers/{id} */
  path: string;
  summary: string;
  description?: string;
  /** "token" (default): Authorization: Bearer <api token>. */
  auth?: "token" | "none";
  /** The route's query schema itself (apiHandler's `query`); its input side's keys become query parameters. */
  query?: z.ZodType;
  /** JSON request body (input side of the schema). */
  body?: z.ZodType;
  /** Default true when body is set. */
  bodyRequired?: boolean;
  response: OperationResponse;
  /** Error statuses the operation answers with the API's error body; 503 is always added. */
  errors?: number[];
  /** Error statuses whose meaning differs from the generic text. */
  errorDescriptions?: Record<number, string>;
  /** More success or special answers besides `response` (e.g. 422 connection_failed). */
  otherResponses?: OperationResponse[];
};

/**
 * Named schemas: one entry under components.schemas, a $ref wherever used.
 * Lookups fall back to zod's global registry, where `.describe()` keeps
 * descriptions, so those still reach the document.
 */
class ComponentRegistry extends z.core.$ZodRegistry<z.core.GlobalMeta> {
  override get<S extends z.core.$ZodType>(schema: S) {
    const own = super.get(schema);
    const global = z.globalRegistry.get(schema);
    return own || global ? { ...global, ...own } : undefined;
  }
}

export const components = new ComponentRegistry();

export function component<S extends z.ZodType>(id: string, schema: S): S {
  components.add(schema, { id });
  return schema;
}

export function defineOperation<const O extends Operation>(operation: O): O {
  return operation;
}

/** The API's error body. */
export const errorSchema = component(
  "Error",
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  }),
);

/** A keyset-paginated page: the items under `key` plus the cursor of the next page (null on the last). */
export function pageOf<K extends string, S extends z.ZodType>(key: K, item: S) {
  return z.object({ [key]: z.array(item), nextCursor: z.string().nullable() } as { [P in K]: z.ZodArray<S> } & { nextCursor: z.ZodNullable<z.ZodString> });
}
