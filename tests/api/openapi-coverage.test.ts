import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/api/openapi";

// Every route under app/api/v1 and every method it serves must be in the
// OpenAPI document, so a new endpoint cannot ship undocumented; every other
// method answers JSON 405 with an Allow header.

const root = path.resolve(import.meta.dirname, "../../app/api/v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

describe("OpenAPI document", () => {
  it("documents every /api/v1 route and method", async () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const routes = routeFiles(root).filter((f) => !f.includes("[...path]") && !f.includes("openapi.json"));
    expect(routes.length).toBeGreaterThan(10);
    for (const file of routes) {
      const apiPath = "/api/v1/" + path.relative(root, path.dirname(file)).split(path.sep).map((s) => s.replace(/^\[(.+)\]$/, "{$1}")).join("/");
      const mod = (await import(file)) as Record<string, unknown>;
      const isEndpoint = (m: string) => typeof mod[m] === "function" && !(mod[m] as { notAllowed?: boolean }).notAllowed;
      const exported = METHODS.filter(isEndpoint);
      expect(doc.paths, apiPath).toHaveProperty([apiPath]);
      for (const method of exported) expect(doc.paths[apiPath], `${method} ${apiPath}`).toHaveProperty([method.toLowerCase()]);
      // Every other method still answers with the API's JSON error, not an empty 405.
      for (const method of METHODS.filter((m) => !isEndpoint(m))) {
        const handler = mod[method] as ((r: Request) => Promise<Response>) | undefined;
        expect(handler, `${method} ${apiPath} has a JSON 405 handler`).toBeTypeOf("function");
        const res = await handler!(new Request(`http://portal.test${apiPath}`, { method }));
        expect(res.status).toBe(405);
        expect(res.headers.get("allow")).toBe(exported.join(", "));
        expect((await res.json()).error.code).toBe("method_not_allowed");
      }
    }
  });
});
