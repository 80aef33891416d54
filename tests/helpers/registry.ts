import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/**
 * Starts a real registry (Debian's `docker-registry`, CNCF Distribution 2.8)
 * on a loopback port for a test, with filesystem storage in a temp directory,
 * and pushes images into it with `skopeo`.
 *
 *   const registry = await startRegistry({ auth: "htpasswd", users: { vendor: "s3cret" } });
 *   await registry.push(layoutDir, "1.0", "acme/api:1.0");      // oci:<layoutDir>:1.0 → acme/api:1.0
 *   registry.host                                                // "127.0.0.1:41234"
 *   await registry.stop();
 *
 * auth:
 *   "none"      anonymous pull and push.
 *   "htpasswd"  Basic auth, users from `htpasswd -Bbn`.
 *   "token"     Bearer auth as Distribution is deployed behind a token server:
 *               the helper runs that token server (ES256 JWTs signed by a
 *               self-signed P-256 certificate the registry trusts), checks
 *               Basic credentials against `users`, grants pull/push per
 *               `canAccess`, and counts requests in `tokenServer.requests`.
 * tls: serve HTTPS with a self-signed certificate for 127.0.0.1 (`caPem` holds it), or with
 *   `tlsFiles` (a certificate the test made trusted, e.g. through NODE_EXTRA_CA_CERTS).
 * port: listen on this port of 127.0.0.1 instead of a free one (443: a registry reached by
 *   host name alone, `localhost`, as a vendor's own registry is).
 * accessLog: keep Distribution's access log (off by default) so a test can
 *   count what reached the upstream: `registry.blobGets(digest)`.
 * proxyRemoteUrl: run as a pull-through cache of that registry (Distribution's proxy mode).
 * kill()/restart(): stop the process without removing its storage, start it again on the same port.
 */

const run = promisify(execFile);

export type RegistryAuthMode = "none" | "htpasswd" | "token";

export type StartRegistryOptions = {
  auth?: RegistryAuthMode;
  /** username → password (htpasswd and token modes). Default { vendor: "vendor-password" }. */
  users?: Record<string, string>;
  tls?: boolean;
  /** Serve HTTPS with these PEM files instead of a fresh self-signed pair (implies tls). */
  tlsFiles?: { certFile: string; keyFile: string };
  /** Listen on this port (default: a free one). */
  port?: number;
  /** Token mode: may `username` have `action` on `repository`? Default: yes. */
  canAccess?: (username: string, repository: string, action: string) => boolean;
  /** Token mode: expires_in of issued tokens, seconds. Default 300. */
  tokenExpiresIn?: number;
  accessLog?: boolean;
  /** Distribution's proxy mode: pull through (and cache) this unauthenticated upstream URL. */
  proxyRemoteUrl?: string;
  /** Certificates (PEM) the registry trusts for its outgoing HTTPS instead of the system's (a proxy of an HTTPS test upstream). */
  trustPem?: string;
};

export type TokenServer = {
  realm: string;
  service: string;
  /** Every request the token endpoint received (including refused ones). */
  readonly requests: { username: string | null; scopes: string[]; status: number }[];
};

export type TestRegistry = {
  /** 127.0.0.1:<port> */
  host: string;
  port: number;
  /** http(s)://127.0.0.1:<port> */
  url: string;
  auth: RegistryAuthMode;
  users: Record<string, string>;
  /** Self-signed certificate (tls: true). */
  caPem?: string;
  tokenServer?: TokenServer;
  dir: string;
  /** Access log request lines (`GET /v2/... HTTP/1.1" 200`) seen so far (accessLog: true). */
  accessLog(): string[];
  /** How many GETs of /v2/.../blobs/<digest> the registry answered with content (2xx; any digest when omitted). */
  blobGets(digest?: string): number;
  /**
   * blobGets once the access log has caught up: Distribution logs a request after finishing it and the
   * line arrives through a pipe. Waits until the count reaches `expected` (or `timeoutMs`), then a little
   * longer so that lines beyond it would show too.
   */
  settledBlobGets(digest: string | undefined, expected: number, timeoutMs?: number): Promise<number>;
  /** The registry process id (changes on restart). */
  pid(): number | undefined;
  /** Stops the process (SIGKILL by default) but keeps its storage, for restart(). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  /** `skopeo copy [--all] oci:<layoutDir>:<tag> docker://<host>/<destination>` with the first user's credentials. */
  push(layoutDir: string, tag: string, destination: string, options?: { all?: boolean }): Promise<void>;
  stop(): Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Writes a self-signed P-256 certificate/key pair (CN and SAN for 127.0.0.1). */
export async function selfSignedCertificate(dir: string, name: string, cn = "127.0.0.1") {
  const keyFile = path.join(dir, `${name}-key.pem`);
  const certFile = path.join(dir, `${name}-cert.pem`);
  await run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", `/CN=${cn}`,
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ]);
  return { keyFile, certFile, certPem: await fs.promises.readFile(certFile, "utf8"), keyPem: await fs.promises.readFile(keyFile, "utf8") };
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

async function startTokenServer(options: {
  users: Record<string, string>;
  canAccess: NonNullable<StartRegistryOptions["canAccess"]>;
  expiresIn: number;
  keyPem: string;
  certPem: string;
  service: string;
  issuer: string;
}): Promise<TokenServer & { close(): Promise<void> }> {
  const key = createPrivateKey(options.keyPem);
  const der = Buffer.from(options.certPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  const requests: TokenServer["requests"] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://token");
    const scopes = url.searchParams.getAll("scope");
    let username: string | null = null;
    const header = req.headers.authorization ?? "";
    if (header.startsWith("Basic ")) {
      const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      const user = decoded.slice(0, colon);
      if (options.users[user] !== undefined && options.users[user] === decoded.slice(colon + 1)) username = user;
      else {
        requests.push({ username: user, scopes, status: 401 });
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ details: "incorrect username or password" }));
        return;
      }
    }
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(":");
      if (type !== "repository" || !name || !actions) return [];
      const granted = actions.split(",").filter((action) => username !== null && options.canAccess(username, name, action));
      return granted.length ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const head = base64url(JSON.stringify({ alg: "ES256", typ: "JWT", x5c: [der.toString("base64")] }));
    const claims = base64url(
      JSON.stringify({
        iss: options.issuer,
        aud: options.service,
        sub: username ?? "",
        iat: now,
        nbf: now - 5,
        exp: now + options.expiresIn,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = sign("sha256", Buffer.from(`${head}.${claims}`), { key, dsaEncoding: "ieee-p1363" });
    const token = `${head}.${claims}.${base64url(signature)}`;
    requests.push({ username, scopes, status: 200 });
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ token, access_token: token, expires_in: options.expiresIn, issued_at: new Date(now * 1000).toISOString() }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service: options.service,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitForRegistry(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  const { request } = await import("undici");
  const { Agent } = await import("undici");
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${logs()}`);
      try {
        const res = await request(`${url}/v2/`, { dispatcher: agent });
        await res.body.dump();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`docker-registry did not start in 20 s: ${logs()}`);
  } finally {
    await agent.close();
  }
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? "none";
  const users = options.users ?? { vendor: "vendor-password" };
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-registry-"));
  const port = options.port ?? (await freePort());
  const tls = Boolean(options.tls || options.tlsFiles);
  const scheme = tls ? "https" : "http";
  const lines = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    `    disabled: ${options.accessLog ? "false" : "true"}`,
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${path.join(dir, "data")}`,
    "  delete:",
    "    enabled: true",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomUUID()}`,
  ];
  let caPem: string | undefined;
  if (options.tlsFiles) {
    caPem = await fs.promises.readFile(options.tlsFiles.certFile, "utf8");
    lines.push("  tls:", `    certificate: ${options.tlsFiles.certFile}`, `    key: ${options.tlsFiles.keyFile}`);
  } else if (options.tls) {
    const cert = await selfSignedCertificate(dir, "tls");
    caPem = cert.certPem;
    lines.push("  tls:", `    certificate: ${cert.certFile}`, `    key: ${cert.keyFile}`);
  }
  const trustFile = options.trustPem ? path.join(dir, "trusted.pem") : null;
  if (trustFile) await fs.promises.writeFile(trustFile, options.trustPem!);
  let tokenServer: Awaited<ReturnType<typeof startTokenServer>> | undefined;
  if (auth === "htpasswd") {
    const entries: string[] = [];
    for (const [user, password] of Object.entries(users)) {
      const { stdout } = await run("htpasswd", ["-Bbn", user, password]);
      entries.push(stdout.trim());
    }
    await fs.promises.writeFile(path.join(dir, "htpasswd"), entries.join("\n") + "\n");
    lines.push("auth:", "  htpasswd:", "    realm: test-registry", `    path: ${path.join(dir, "htpasswd")}`);
  } else if (auth === "token") {
    const signer = await selfSignedCertificate(dir, "token", "test-issuer");
    tokenServer = await startTokenServer({
      users,
      canAccess: options.canAccess ?? (() => true),
      expiresIn: options.tokenExpiresIn ?? 300,
      keyPem: signer.keyPem,
      certPem: signer.certPem,
      service: "test-registry",
      issuer: "test-issuer",
    });
    lines.push(
      "auth:",
      "  token:",
      `    realm: ${tokenServer.realm}`,
      "    service: test-registry",
      "    issuer: test-issuer",
      `    rootcertbundle: ${signer.certFile}`,
    );
  }
  if (options.proxyRemoteUrl) lines.push("proxy:", `  remoteurl: ${options.proxyRemoteUrl}`);
  const configFile = path.join(dir, "config.yml");
  await fs.promises.writeFile(configFile, lines.join("\n") + "\n");

  let output = "";
  const accessLines: string[] = [];
  let child: ChildProcess;
  const spawnRegistry = () => {
    // Go reads its roots from SSL_CERT_FILE.
    const env = trustFile ? { ...process.env, SSL_CERT_FILE: trustFile } : process.env;
    child = spawn("docker-registry", ["serve", configFile], { stdio: ["ignore", "pipe", "pipe"], env });
    let partial = "";
    const onData = (d: Buffer) => {
      const text = d.toString();
      output = (output + text).slice(-4000);
      if (!options.accessLog) return;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (/"(GET|HEAD|PUT|POST|PATCH|DELETE) \/v2\//.test(line)) accessLines.push(line);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
  };
  spawnRegistry();
  const url = `${scheme}://127.0.0.1:${port}`;

  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  };

  const stop = async () => {
    await kill("SIGTERM");
    await tokenServer?.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  };

  const restart = async () => {
    await kill("SIGKILL");
    spawnRegistry();
    await waitForRegistry(url, child!, () => output);
  };

  try {
    await waitForRegistry(url, child!, () => output);
  } catch (err) {
    await stop();
    throw err;
  }

  const [firstUser, firstPassword] = Object.entries(users)[0] ?? [];
  const push = async (layoutDir: string, tag: string, destination: string, pushOptions: { all?: boolean } = {}) => {
    const args = ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"];
    if (pushOptions.all) args.push("--all");
    if (auth !== "none" && firstUser) args.push("--dest-creds", `${firstUser}:${firstPassword}`);
    args.push(`oci:${layoutDir}:${tag}`, `docker://127.0.0.1:${port}/${destination}`);
    await run("skopeo", args, { maxBuffer: 16 * 1024 * 1024 });
  };

  const countBlobGets = (digest?: string) =>
    accessLines.filter((line) => {
      const m = /"GET \/v2\/\S+\/blobs\/(sha\d+:[a-f0-9]+) HTTP\/[\d.]+" (\d{3}) /.exec(line);
      return m !== null && m[2]!.startsWith("2") && (!digest || m[1] === digest);
    }).length;
  return {
    host: `127.0.0.1:${port}`,
    port,
    url,
    auth,
    users,
    caPem,
    tokenServer: tokenServer ? { realm: tokenServer.realm, service: tokenServer.service, requests: tokenServer.requests } : undefined,
    dir,
    accessLog: () => [...accessLines],
    blobGets: countBlobGets,
    settledBlobGets: async (digest, expected, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      while (countBlobGets(digest) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      return countBlobGets(digest);
    },
    pid: () => child.pid,
    kill,
    restart,
    push,
    stop,
  };
}
