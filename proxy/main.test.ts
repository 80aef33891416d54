import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";

// The proxy started the way `pullgate start` starts it, then stopped by signal.

const root = path.resolve(import.meta.dirname, "..");

function get(port: number, pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: pathname, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    }).on("error", reject);
  });
}

describe("proxy/main.ts", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`listens on PROXY_PORT, serves, and exits cleanly on ${signal}`, async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "proxy/main.ts"], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: inject("databaseUrl"), PROXY_PORT: "0", LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const lines: Array<Record<string, unknown>> = [];
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

      const port = await new Promise<number>((resolve, reject) => {
        let buffered = "";
        child.stdout.on("data", (chunk: Buffer) => {
          buffered += chunk.toString();
          let newline;
          while ((newline = buffered.indexOf("\n")) >= 0) {
            const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
            buffered = buffered.slice(newline + 1);
            lines.push(line);
            if (typeof line.port === "number") resolve(line.port);
          }
        });
        void exited.then((code) => reject(new Error(`proxy exited early (${code}): ${stderr}`)));
      });

      expect(await get(port, "/readyz")).toBe(200);
      expect(await get(port, "/v2/")).toBe(401);

      child.kill(signal);
      expect(await exited).toBe(0);
      expect(lines.map((l) => l.msg)).toContain("proxy stopped");
      await expect(get(port, "/healthz")).rejects.toThrow();
    });
  }
});
