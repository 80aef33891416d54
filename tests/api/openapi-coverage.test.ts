import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { operations } from "@/lib/api/operations";
import { createCustomerSchema, listCustomersQuerySchema } from "@/lib/customers/schemas";

// Routes and the document cannot drift: every handler exported by a route file
// under app/api/v1 has exactly one declared operation (lib/api/operations/),
// every operation has its handler, and the document is zod's own JSON Schema
// of the schema objects the routes validate with. Every other method answers
// JSON 405 with an Allow header.

const root = path.resolve(import.meta.dirname, "../../app/api/v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/** app/api/v1/customers/[id]/route.ts → /api/v1/customers/{id} */
function apiPathOf(file: string): string {
  return "/api/v1/" + path.relative(root, path.dirname(file)).split(path.sep).map((s) => s.replace(/^\[(.+)\]$/, "{$1}")).join("/");
}

type Doc = { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; parameters?: { name: string; in: string }[] }>>; components: { schemas: Record<string, unknown> } };

type RouteHandler = { apiOptions?: { query?: unknown; auth: string } };

async function exportedEndpoints(): Promise<{ endpoints: Set<string>; modules: [string, Record<string, unknown>][]; handlers: Map<string, RouteHandler> }> {
  // The catch-all answers the API's 404 for unknown paths: not an operation.
  const files = routeFiles(root).filter((f) => !f.includes("[...path]"));
  const endpoints = new Set<string>();
  const handlers = new Map<string, RouteHandler>();
  const modules: [string, Record<string, unknown>][] = [];
  for (const file of files) {
    const mod = (await import(file)) as Record<string, unknown>;
    modules.push([apiPathOf(file), mod]);
    for (const m of METHODS) {
      if (!isEndpoint(mod, m)) continue;
      endpoints.add(`${m} ${apiPathOf(file)}`);
      handlers.set(`${m} ${apiPathOf(file)}`, mod[m] as RouteHandler);
    }
  }
  return { endpoints, modules, handlers };
}

const isEndpoint = (mod: Record<string, unknown>, m: string) => typeof mod[m] === "function" && !(mod[m] as { notAllowed?: boolean }).notAllowed;

describe("OpenAPI document", () => {
  it("has one operation per exported route handler, and a handler per operation", async () => {
    const { endpoints } = await exportedEndpoints();
    expect(endpoints.size).toBeGreaterThan(30);
    const declared = operations.map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(new Set(declared).size, "an operation is declared twice").toBe(declared.length);
    const undocumented = [...endpoints].filter((e) => !declared.includes(e));
    const withoutRoute = declared.filter((e) => !endpoints.has(e));
    expect(undocumented, "route handlers without an operation in lib/api/operations/").toEqual([]);
    expect(withoutRoute, "operations without a route handler under app/api/v1").toEqual([]);

    const doc = buildOpenApiDocument() as Doc;
    for (const e of endpoints) {
      const [method, p] = e.split(" ") as [string, string];
      expect(doc.paths[p], e).toHaveProperty([method.toLowerCase()]);
    }
  });

  it("declares the query schema object and the authentication the route's handler uses", async () => {
    const { handlers } = await exportedEndpoints();
    for (const op of operations) {
      const key = `${op.method.toUpperCase()} ${op.path}`;
      const options = handlers.get(key)?.apiOptions;
      expect(options, `${key} is built with apiHandler`).toBeDefined();
      // Identity, not likeness: the document is generated from the object that validates the request.
      expect(options!.query === op.query, `${key}: the operation's query schema is the route's`).toBe(true);
      expect(options!.auth, key).toBe(op.auth ?? "token");
    }
  });

  it("answers every other method with the API's JSON 405 and an Allow header", async () => {
    const { modules } = await exportedEndpoints();
    for (const [apiPath, mod] of modules) {
      const exported = METHODS.filter((m) => isEndpoint(mod, m));
      for (const method of METHODS.filter((m) => !isEndpoint(mod, m))) {
        const handler = mod[method] as ((r: Request) => Promise<Response>) | undefined;
        expect(handler, `${method} ${apiPath} has a JSON 405 handler`).toBeTypeOf("function");
        const res = await handler!(new Request(`http://portal.test${apiPath}`, { method }));
        expect(res.status).toBe(405);
        expect(res.headers.get("allow")).toBe(exported.join(", "));
        expect((await res.json()).error.code).toBe("method_not_allowed");
      }
    }
  });

  it("generates bodies and parameters from the routes' zod schemas", () => {
    const doc = buildOpenApiDocument("https://portal.example") as Doc;
    const create = doc.paths["/api/v1/customers"]!.post!.requestBody!.content["application/json"]!.schema;
    expect(create).toEqual({ $ref: "#/components/schemas/CreateCustomer" });
    const expected = z.toJSONSchema(createCustomerSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    delete expected.$schema;
    expect(doc.components.schemas.CreateCustomer).toEqual(expected);
    const listed = doc.paths["/api/v1/customers"]!.get!.parameters!.filter((p) => p.in === "query").map((p) => p.name);
    expect(listed).toEqual(Object.keys(listCustomersQuerySchema.shape));
    expect(doc.paths["/api/v1/customers/{id}"]!.get!.parameters).toEqual([{ name: "id", in: "path", required: true, schema: { type: "string" } }]);
    // Every $ref points at a component that exists.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const name of refs) expect(doc.components.schemas, name).toHaveProperty([name]);
    expect(JSON.stringify(doc)).not.toContain("#/$defs/");
  });
});
