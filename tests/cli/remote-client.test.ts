import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, ApiError } from "@/cli/remote/api-client";
import { resolveRemoteConfig, storeRemoteConfig } from "@/cli/remote/config";
import { parseSince } from "@/cli/remote/context";
import { renderTable } from "@/cli/remote/output";

// The CLI's client against a stand-in API: pages are followed, the API's
// errors come through with their message, and a portal without the
// license-file endpoint is named as such.

const root = path.resolve(import.meta.dirname, "../..");
let server: http.Server;
let baseUrl: string;
const requests: string[] = [];
const ITEMS = Array.from({ length: 7 }, (_, i) => ({ id: `c${i}` }));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    requests.push(url.pathname + url.search);
    res.setHeader("content-type", "application/json");
    if (req.headers.authorization !== "Bearer good") {
      res.statusCode = 401;
      return res.end(JSON.stringify({ error: { code: "unauthenticated", message: "The API token is invalid or revoked." } }));
    }
    if (url.pathname === "/api/v1/customers") {
      // Two per page whatever was asked: the client must follow nextCursor.
      const start = Number(url.searchParams.get("cursor") ?? 0);
      const page = ITEMS.slice(start, start + 2);
      return res.end(JSON.stringify({ customers: page, nextCursor: start + 2 < ITEMS.length ? String(start + 2) : null }));
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ error: { code: "not_found", message: `No API endpoint at ${req.method} ${url.pathname}.` } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function pullgate(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin/pullgate.mjs"), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("ApiClient", () => {
  it("follows nextCursor until the limit, or to the end", async () => {
    const api = new ApiClient({ apiUrl: baseUrl, token: "good" });
    requests.length = 0;
    expect((await api.list("/api/v1/customers", "customers", { appId: "a1" })).map((c) => (c as { id: string }).id)).toEqual(ITEMS.map((c) => c.id));
    expect(requests).toHaveLength(4);
    expect(requests[1]).toBe("/api/v1/customers?appId=a1&limit=200&cursor=2");
    requests.length = 0;
    expect(await api.list("/api/v1/customers", "customers", {}, 3)).toEqual(ITEMS.slice(0, 3));
    expect(requests).toEqual(["/api/v1/customers?limit=3", "/api/v1/customers?limit=1&cursor=2"]);
  });

  it("throws the API's own error message", async () => {
    const api = new ApiClient({ apiUrl: baseUrl, token: "bad" });
    const err = await api.get("/api/v1/customers").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: "unauthenticated", message: "The API token is invalid or revoked." });
  });
});

describe("pullgate licenses download against a portal without license files", () => {
  it("says the endpoint is missing, exit 1", async () => {
    const r = await pullgate(["licenses", "download", "c1"], { PULLGATE_API_URL: baseUrl, PULLGATE_API_TOKEN: "good" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("This Pullgate portal has no license-file endpoint (GET /api/v1/customers/c1/license-file answered 404)");
  });

  it("--limit follows pages in the CLI too", async () => {
    const r = await pullgate(["customers", "ls", "--limit", "5", "-o", "json"], { PULLGATE_API_URL: baseUrl, PULLGATE_API_TOKEN: "good" });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(ITEMS.slice(0, 5));
    expect((await pullgate(["customers", "ls", "--limit", "0"], { PULLGATE_API_URL: baseUrl, PULLGATE_API_TOKEN: "good" })).code).toBe(2);
  });
});

describe("remote config", () => {
  it("prefers the environment over the login file, which is written 0600", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-cfg-"));
    try {
      const env = { XDG_CONFIG_HOME: home } as unknown as NodeJS.ProcessEnv;
      expect(() => resolveRemoteConfig(env)).toThrow(/Not logged in/);
      const file = storeRemoteConfig({ apiUrl: "https://portal.example", token: "t1" }, env);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(resolveRemoteConfig(env)).toEqual({ apiUrl: "https://portal.example", token: "t1" });
      expect(resolveRemoteConfig({ ...env, PULLGATE_API_TOKEN: "t2", PULLGATE_API_URL: "http://other:3000/" })).toEqual({ apiUrl: "http://other:3000", token: "t2" });
      expect(() => resolveRemoteConfig({ ...env, PULLGATE_API_URL: "ftp://x" })).toThrow(/http:\/\/ or https:\/\//);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("output", () => {
  it("aligns columns and keeps one row per item", () => {
    const out = renderTable([{ a: "x", b: "line\nbreak" }, { a: "longer", b: null }], [["A", (r) => r.a], ["B", (r) => r.b]]);
    expect(out).toBe("A       B\nx       line break\nlonger  -\n");
  });

  it("reads --since as a date-time, a date or a span back from now", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    expect(parseSince("7d", now)).toBe("2026-11-23T12:00:00.000Z");
    expect(parseSince("30m", now)).toBe("2026-11-30T11:30:00.000Z");
    expect(parseSince("2026-11-01")).toBe("2026-11-01T00:00:00Z");
    expect(parseSince("2026-11-01T08:00:00+01:00")).toBe("2026-11-01T08:00:00+01:00");
    expect(() => parseSince("last week")).toThrow(/ISO 8601/);
  });
});

describe("--help", () => {
  it("every command, remote and local, has an example", async () => {
    const { buildProgram } = await import("@/cli/program");
    const program = buildProgram({ code: 0 });
    const paths: string[][] = [];
    const walk = (cmd: typeof program, prefix: string[]) => {
      for (const sub of cmd.commands) {
        if (sub.name() === "help") continue;
        paths.push([...prefix, sub.name()]);
        walk(sub, [...prefix, sub.name()]);
      }
    };
    walk(program, []);
    expect(paths.length).toBeGreaterThan(30);
    for (const p of [[], ...paths]) {
      let out = "";
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
      try {
        await buildProgram({ code: 0 }).parseAsync([...p, "--help"], { from: "user" }).catch((e: { code?: string }) => {
          if (e.code !== "commander.helpDisplayed") throw e;
        });
      } finally {
        process.stdout.write = write;
      }
      expect(out, `pullgate ${p.join(" ")} --help`).toMatch(/Examples?:\n  \$ .*pullgate /);
    }
  });
});
