import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleProxy, proxyBundleState } from "@/cli/proxy-bundle";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";

// Production runs the proxy from an esbuild bundle (npm run build, pullgate
// start). Everything else tests the TypeScript through tsx, so this file builds
// a bundle and starts it: what breaks only once bundled fails here.

const root = path.resolve(import.meta.dirname, "../..");
let dir: string;
let outfile: string;
let proxy: ProxyProcess | undefined;

beforeAll(async () => {
  // Inside the repository, like dist/proxy/: the bundle imports npm packages from node_modules.
  fs.mkdirSync(path.join(root, "dist"), { recursive: true });
  dir = await fs.promises.mkdtemp(path.join(root, "dist", "test-proxy-"));
  ({ outfile } = await bundleProxy(path.join(dir, "main.mjs")));
});

afterAll(async () => {
  await proxy?.stop();
  if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
});

describe("proxy bundle", () => {
  it("starts, reports ready and challenges registry clients", async () => {
    proxy = await startProxyProcess(
      { DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_SECRET_KEY: randomBytes(32).toString("base64") },
      { entry: outfile },
    );
    const ready = await fetch(`${proxy.url}/readyz`);
    expect(ready.status).toBe(200);
    const v2 = await fetch(`${proxy.url}/v2/`);
    await v2.body?.cancel();
    expect(v2.status).toBe(401);
    expect(v2.headers.get("www-authenticate")).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/v2\/token"/);
  });

  it("loads the AWS SDK only on demand and maps stack traces to the TypeScript", async () => {
    const code = await fs.promises.readFile(outfile, "utf8");
    expect(code).not.toMatch(/^import\b[^;]*["']@aws-sdk\//m);
    expect(code).toContain('import("@aws-sdk/client-ecr")');
    expect(code.trimEnd().endsWith("//# sourceMappingURL=main.mjs.map")).toBe(true);
    const map = JSON.parse(await fs.promises.readFile(`${outfile}.map`, "utf8")) as { sources: string[] };
    expect(map.sources.map((s) => path.relative(root, path.resolve(dir, s)))).toContain("proxy/main.ts");
  });

  it("reads as stale once a source is newer than the bundle", async () => {
    expect(proxyBundleState(outfile)).toEqual({ fresh: true });
    await fs.promises.utimes(outfile, 0, 0);
    expect(proxyBundleState(outfile)).toMatchObject({ fresh: false, reason: expect.stringMatching(/ changed$/) });
    await fs.promises.rm(path.join(dir, "inputs.json"));
    expect(proxyBundleState(outfile)).toEqual({ fresh: false, reason: "no proxy bundle yet" });
  });
});
