import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseMasterKey } from "@/lib/secrets/master-key";
import { offloadKey } from "@/proxy/cache/offload";
import { NGINX_BINARY } from "../helpers/nginx";
import { selfSignedCertificate } from "../helpers/registry";

// `pullgate nginx-config` prints a server block for this machine's settings
// that Debian's nginx accepts as is (the offload test runs nginx with the same
// generator; this checks the command and the TLS variant).

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-nginx-config-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function pullgate(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin/pullgate.mjs"), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `nginx -t` on the server block wrapped in a minimal main config. */
async function nginxAccepts(serverBlock: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(work, "t-"));
  const conf = path.join(dir, "nginx.conf");
  fs.writeFileSync(conf, `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  client_body_temp_path ${dir};\n  proxy_temp_path ${dir};\n${serverBlock}\n}\n`);
  await run(NGINX_BINARY, ["-t", "-q", "-p", dir, "-c", conf, "-e", `${dir}/error.log`]);
}

describe("pullgate nginx-config", () => {
  const cacheDir = path.join(work, "cache");
  const secretKey = randomBytes(32).toString("base64");
  const env = { PULLGATE_CACHE_DIR: cacheDir, PROXY_PORT: "5077", PROXY_PUBLIC_HOST: "registry.example.com:443", PULLGATE_OFFLOAD_PREFIX: "/_cache/", PULLGATE_SECRET_KEY: secretKey };

  it("prints a config for this machine that nginx accepts", async () => {
    const { code, stdout } = await pullgate(["nginx-config", "--listen", "127.0.0.1:8080"], env);
    expect(code).toBe(0);
    expect(stdout).toContain("server 127.0.0.1:5077;");
    expect(stdout).toContain("server_name registry.example.com;");
    expect(stdout).toContain(`alias ${cacheDir}/;`);
    expect(stdout).toContain("location /_cache/ {");
    // Cold blobs pass through unbuffered, read 64 KiB at a time rather than a page (bench: 2.5× faster).
    expect(stdout).toContain("proxy_buffering off;");
    expect(stdout).toContain("proxy_buffer_size 64k;");
    expect(stdout).toContain("PULLGATE_OFFLOAD=nginx");
    // The key the proxy checks before offloading, derived from its master key (never the master key itself).
    expect(stdout).toContain(`proxy_set_header x-pullgate-offload-key ${offloadKey(parseMasterKey(secretKey))};`);
    expect(stdout).not.toContain(secretKey);
    await nginxAccepts(stdout);
  });

  it("adds TLS when given a certificate and key", async () => {
    const { certFile, keyFile } = await selfSignedCertificate(work, "nginx");
    const { code, stdout } = await pullgate(["nginx-config", "--tls-cert", certFile, "--tls-key", keyFile], env);
    expect(code).toBe(0);
    expect(stdout).toContain("listen 443 ssl;");
    expect(stdout).toContain(`ssl_certificate ${certFile};`);
    await nginxAccepts(stdout);
  });

  it("refuses half a TLS setup and paths nginx would misread", async () => {
    const half = await pullgate(["nginx-config", "--tls-cert", "/x.pem"], env);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("Pass both --tls-cert and --tls-key");
    const unsafe = await pullgate(["nginx-config"], { ...env, PULLGATE_CACHE_DIR: "/var/cache/pull gate" });
    expect(unsafe.code).toBe(1);
    expect(unsafe.stderr).toContain("cache directory may not contain spaces");
    const keyless = await pullgate(["nginx-config"], { ...env, PULLGATE_SECRET_KEY: "", PULLGATE_DATA_DIR: path.join(work, "no-data") });
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toContain("nginx-config needs the proxy's PULLGATE_SECRET_KEY");
  });
});
