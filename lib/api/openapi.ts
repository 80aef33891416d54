import { z } from "zod";
import { components, errorSchema, type Operation, type OperationResponse } from "@/lib/api/define-operation";
import { operations } from "@/lib/api/operations";

// The OpenAPI 3.1 document of /api/v1, generated from the operations declared
// in lib/api/operations/ (see lib/api/define-operation.ts): every request and
// response body is zod's JSON Schema of the schema object the route uses.

type JsonSchema = Record<string, unknown>;
type Io = "input" | "output";

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request: issues name each offending field.",
  401: "Missing, invalid or revoked API token.",
  403: "The token's user is a read-only member.",
  404: "Not found (or belongs to another team).",
  409: "Conflict.",
  503: "The database is temporarily unavailable (code `unavailable`): nothing was changed; retry after the Retry-After seconds.",
};

/** Collects components.schemas while operations are converted; one name, one schema. */
class SchemaCollector {
  readonly schemas: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: Io): JsonSchema {
    const json = z.toJSONSchema(schema, { metadata: components, io, unrepresentable: "any" }) as JsonSchema;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    for (const [name, def] of Object.entries(defs)) this.add(name, rewriteRefs(def) as JsonSchema);
    return rewriteRefs(json) as JsonSchema;
  }

  private add(name: string, schema: JsonSchema): void {
    const existing = this.schemas[name];
    // A component used as both request (input) and response (output) with different shapes would be ambiguous.
    if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) throw new Error(`OpenAPI component ${name} has two different shapes`);
    this.schemas[name] = schema;
  }
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === "$ref" && typeof v === "string" ? v.replace(/^#\/\$defs\//, "#/components/schemas/") : rewriteRefs(v)]),
    );
  }
  return value;
}

function pathParameters(path: string) {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
}

function queryParameters(collector: SchemaCollector, query: z.ZodType) {
  const js = collector.convert(query, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: js.required?.includes(name) ?? false,
    ...(typeof schema.description === "string" ? { description: schema.description } : {}),
    schema,
  }));
}

function responseObject(collector: SchemaCollector, r: OperationResponse) {
  if (r.contentType) return { description: r.description, content: { [r.contentType]: { schema: { type: "string" } } } };
  if (!r.schema) return { description: r.description };
  return { description: r.description, content: { "application/json": { schema: collector.convert(r.schema, "output") } } };
}

function operationObject(collector: SchemaCollector, op: Operation) {
  const errorBody = { "application/json": { schema: collector.convert(errorSchema, "output") } };
  const responses: Record<string, unknown> = { [String(op.response.status ?? 200)]: responseObject(collector, op.response) };
  for (const other of op.otherResponses ?? []) {
    responses[String(other.status ?? 200)] = other.schema || other.contentType ? responseObject(collector, other) : { description: other.description, content: errorBody };
  }
  // Every operation reads the database, so every one may answer 503.
  for (const status of [...(op.errors ?? []), 503]) {
    responses[String(status)] = { description: op.errorDescriptions?.[status] ?? ERROR_TEXT[status] ?? "Error.", content: errorBody };
  }
  const parameters = [...pathParameters(op.path), ...(op.query ? queryParameters(collector, op.query) : [])];
  return {
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.auth === "none" ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? { requestBody: { required: op.bodyRequired ?? true, content: { "application/json": { schema: collector.convert(op.body, "input") } } } }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(serverUrl = "/"): Record<string, unknown> {
  const collector = new SchemaCollector();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`Two operations for ${op.method.toUpperCase()} ${op.path}`);
    item[op.method] = operationObject(collector, op);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Pullgate API",
      version: "1.0.0",
      description: "Manage apps, customers and their registry licenses. Authenticate with `Authorization: Bearer <api token>`.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } }, schemas: collector.schemas },
    paths,
  };
}
