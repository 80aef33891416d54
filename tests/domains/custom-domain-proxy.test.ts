import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import type { Actor } from "@/lib/auth/actor";
import { createVendor } from "@/lib/teams/create-vendor";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { encryptSecret } from "@/lib/secrets/crypto";
import { addDomain } from "@/lib/domains/add-domain";
import { verifyDomain } from "@/lib/domains/verify-domain";
import { removeDomain } from "@/lib/domains/remove-domain";
import { createDomainResolver } from "@/lib/domains/dns-resolver";
import { freePort, startRegistry, type TestRegistry } from "../helpers/registry";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { startDnsServer, type TestDnsServer } from "../helpers/dns-server";
import { startForwardProxy, type ForwardProxy } from "../helpers/forward-proxy";

// A real client pulls through a custom domain. Name resolution is the only
// obstacle: curl gets `--resolve`, skopeo goes through a forward proxy
// (HTTP_PROXY/HTTPS_PROXY) that sends every host name to the Pullgate proxy,
// so Host and SNI stay the custom domain's, as they would in production.

const run = promisify(execFile);
process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");

const suffix = randomBytes(3).toString("hex");
const CUSTOM = `registry-${suffix}.acme.test`;
const LIMITED = `app-${suffix}.acme.test`;
const PENDING = `pending-${suffix}.acme.test`;
const UPSTREAM_PASSWORD = `upstream-${randomBytes(8).toString("hex")}`;

let work: string;
let registry: TestRegistry;
let dns: TestDnsServer;
let proxy: ProxyProcess;
let tlsProxy: { port: number; stop: () => Promise<void>; logs: () => string };
let forward: ForwardProxy;
let image: WrittenImage;
let actorA: Actor;
let appA: string;
let appA2: string;
let appB: string;
let licenseA: string;
let licenseA2: string;
let licenseB: string;
let certs: { defaultCert: string; defaultKey: string; certDir: string; clientCertDir: string; domainCert: string };

const repo = (app: string) => `proxy/${app}/vendor-reg/acme/api`;
const basic = (license: string) => `LICENSE_ID:${license}`;

/** curl with the custom host resolved to loopback: returns status, headers and body. */
async function curl(url: string, options: { user?: string; bearer?: string; cacert?: string } = {}) {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  const args = ["-sS", "-D", "-", "--resolve", `${u.hostname}:${port}:127.0.0.1`, url];
  if (options.user) args.push("-u", options.user);
  if (options.bearer) args.push("-H", `Authorization: Bearer ${options.bearer}`);
  if (options.cacert) args.push("--cacert", options.cacert);
  const { stdout } = await run("curl", args, { maxBuffer: 16 * 1024 * 1024 });
  const split = stdout.indexOf("\r\n\r\n");
  const head = stdout.slice(0, split).split("\r\n");
  const headers = new Map(head.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()] as const));
  const body = stdout.slice(split + 4);
  return { status: Number(head[0]!.split(" ")[1]), headers, body, json: () => JSON.parse(body) };
}

async function skopeo(args: string[], env: Record<string, string> = {}) {
  return run("skopeo", ["--insecure-policy", ...args], {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_PROXY: "", no_proxy: "", ...env },
  });
}

async function certificate(dir: string, name: string, san: string) {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  await run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", `/CN=${name}`, "-addext", `subjectAltName=${san}`,
  ]);
  return { certFile, keyFile };
}

/** The proxy as `pullgate start` runs it, serving HTTPS (startProxyProcess probes plain HTTP). */
async function startTlsProxy(env: Record<string, string>) {
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "proxy/main.ts"], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    // The upstream registry runs on loopback: allowed explicitly.
    env: { ...process.env, PROXY_PORT: String(port), PROXY_PUBLIC_HOST: `127.0.0.1:${port}`, PULLGATE_DOMAIN_CHECK_INTERVAL: "0", PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const ca = fs.readFileSync(certs.defaultCert);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`TLS proxy exited: ${output}`);
    const ok = await new Promise<boolean>((resolve) => {
      https.get({ host: "127.0.0.1", port, path: "/readyz", ca, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on("error", () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`TLS proxy not ready: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    logs: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

async function verifiedDomain(actor: Actor, hostname: string, appId?: string) {
  const domain = await addDomain(actor, { hostname, appId });
  dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [[domain.verificationToken]] });
  const verified = await verifyDomain(actor, domain.id, { resolver: createDomainResolver([dns.address]) });
  expect(verified.status).toBe("verified");
  return verified;
}

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-domains-"));
  dns = await startDnsServer();
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  const layout = path.join(work, "layout");
  image = await writeOciImage(layout, { tag: "1.0", layers: [{ size: 4096 }] });
  await registry.push(layout, "1.0", "acme/api:1.0");

  const sealed = encryptSecret(UPSTREAM_PASSWORD);
  const team = async (name: string) => {
    const { user, team } = await createVendor({ email: `${name}-${suffix}@example.com`, password: "correct horse battery", teamName: name });
    const actor: Actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: user.email };
    await prisma.registryCredential.create({
      data: { teamId: team.id, provider: "other", endpoint: registry.host, name: "vendor-reg", username: "vendor", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: true, allApps: true },
    });
    return actor;
  };
  actorA = await team("acme");
  const actorB = await team("globex");
  const a = await createApp(actorA, { name: "Acme", slug: `acme-${suffix}` });
  const a2 = await createApp(actorA, { name: "Acme two", slug: `acme2-${suffix}` });
  const b = await createApp(actorB, { name: "Globex", slug: `globex-${suffix}` });
  appA = a.slug;
  appA2 = a2.slug;
  appB = b.slug;
  licenseA = (await createCustomer(actorA, { appId: a.id, name: "A customer" })).license.licenseId;
  licenseA2 = (await createCustomer(actorA, { appId: a2.id, name: "A2 customer" })).license.licenseId;
  licenseB = (await createCustomer(actorB, { appId: b.id, name: "B customer" })).license.licenseId;

  await verifiedDomain(actorA, CUSTOM);
  await verifiedDomain(actorA, LIMITED, a.id);
  await addDomain(actorA, { hostname: PENDING });

  const certDir = path.join(work, "certs");
  const clientCertDir = path.join(work, "client-certs");
  await fs.promises.mkdir(certDir);
  await fs.promises.mkdir(clientCertDir);
  const def = await certificate(work, "default", "IP:127.0.0.1");
  const domainCert = await certificate(certDir, CUSTOM, `DNS:${CUSTOM}`);
  // skopeo trusts every *.crt in --src-cert-dir as a CA.
  await fs.promises.copyFile(def.certFile, path.join(clientCertDir, "default.crt"));
  await fs.promises.copyFile(domainCert.certFile, path.join(clientCertDir, "custom.crt"));
  certs = { defaultCert: def.certFile, defaultKey: def.keyFile, certDir, clientCertDir, domainCert: domainCert.certFile };

  const env = { DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!, PULLGATE_DOMAIN_CHECK_INTERVAL: "0" };
  proxy = await startProxyProcess(env);
  tlsProxy = await startTlsProxy({ ...env, PROXY_TLS_CERT: def.certFile, PROXY_TLS_KEY: def.keyFile, PROXY_TLS_CERT_DIR: certDir });
  forward = await startForwardProxy({ httpPort: proxy.port, tlsPort: tlsProxy.port });
}, 180_000);

afterAll(async () => {
  await forward?.close();
  await proxy?.stop();
  await tlsProxy?.stop();
  await registry?.stop();
  await dns?.close();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("the proxy on a verified custom domain (HTTP)", () => {
  it("challenges with the custom host as realm and service, and the Bearer round trip stays on it", async () => {
    const base = `http://${CUSTOM}:${proxy.port}`;
    const manifestUrl = `${base}/v2/${repo(appA)}/manifests/1.0`;
    const challenge = await curl(manifestUrl);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("www-authenticate")).toBe(
      `Bearer realm="${base}/v2/token",service="${CUSTOM}:${proxy.port}",scope="repository:${repo(appA)}:pull"`,
    );

    const token = await curl(`${base}/v2/token?service=${CUSTOM}:${proxy.port}&scope=repository:${repo(appA)}:pull`, { user: basic(licenseA) });
    expect(token.status).toBe(200);
    const manifest = await curl(manifestUrl, { bearer: token.json().token });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("docker-content-digest")).toBe(image.manifest.digest);

    // A token issued for the default host is not valid on the custom domain.
    const other = await curl(`http://127.0.0.1:${proxy.port}/v2/token?scope=repository:${repo(appA)}:pull`, { user: basic(licenseA) });
    expect((await curl(manifestUrl, { bearer: other.json().token })).status).toBe(401);
  });

  it("serves only the domain's own team: another team's app is NAME_UNKNOWN there, and gets no token scope", async () => {
    const base = `http://${CUSTOM}:${proxy.port}`;
    const res = await curl(`${base}/v2/${repo(appB)}/manifests/1.0`, { user: basic(licenseB) });
    expect(res.status).toBe(404);
    expect(res.json().errors[0]).toMatchObject({ code: "NAME_UNKNOWN", message: `repository name not known to registry: unknown app "${appB}"` });
    // The same request works on the default host.
    expect((await curl(`http://127.0.0.1:${proxy.port}/v2/${repo(appB)}/manifests/1.0`, { user: basic(licenseB) })).status).toBe(200);

    const token = await curl(`${base}/v2/token?scope=repository:${repo(appB)}:pull`, { user: basic(licenseB) });
    expect(token.status).toBe(200);
    const claims = JSON.parse(Buffer.from(token.json().token.split(".")[1], "base64url").toString());
    expect(JSON.stringify(claims)).not.toContain(appB);
  });

  it("serves only the chosen app on a domain limited to one app", async () => {
    const base = `http://${LIMITED}:${proxy.port}`;
    expect((await curl(`${base}/v2/${repo(appA)}/manifests/1.0`, { user: basic(licenseA) })).status).toBe(200);
    const other = await curl(`${base}/v2/${repo(appA2)}/manifests/1.0`, { user: basic(licenseA2) });
    expect(other.status).toBe(404);
    expect(other.json().errors[0].code).toBe("NAME_UNKNOWN");
  });

  it("answers 404 on a pending or unknown host, but health checks work on any host", async () => {
    for (const host of [PENDING, `nobody-${suffix}.example.org`]) {
      const res = await curl(`http://${host}:${proxy.port}/v2/${repo(appA)}/manifests/1.0`, { user: basic(licenseA) });
      expect(res.status, host).toBe(404);
      expect(res.json().errors[0].code).toBe("NAME_UNKNOWN");
      expect(res.json().errors[0].message).toBe(`unknown registry host: ${host}:${proxy.port} is neither this proxy's host nor a verified custom domain`);
      expect((await curl(`http://${host}:${proxy.port}/v2/`)).status).toBe(404);
      expect((await curl(`http://${host}:${proxy.port}/healthz`)).status).toBe(200);
    }
  });

  it("picks up verification and removal within a second", async () => {
    const hostname = `late-${suffix}.acme.test`;
    const url = `http://${hostname}:${proxy.port}/v2/${repo(appA)}/manifests/1.0`;
    const domain = await addDomain(actorA, { hostname });
    expect((await curl(url, { user: basic(licenseA) })).status).toBe(404);

    dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [[domain.verificationToken]] });
    await verifyDomain(actorA, domain.id, { resolver: createDomainResolver([dns.address]) });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await curl(url, { user: basic(licenseA) })).status).toBe(200);

    await removeDomain(actorA, domain.id);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await curl(url, { user: basic(licenseA) })).status).toBe(404);
  });

  it("skopeo pulls through the custom domain, the token round trip included", async () => {
    const dest = path.join(work, "http-copy");
    forward.requests.length = 0;
    await skopeo(
      ["copy", "--preserve-digests", "--src-tls-verify=false", "--src-creds", basic(licenseA), `docker://${CUSTOM}/${repo(appA)}:1.0`, `oci:${dest}:1.0`],
      { HTTP_PROXY: forward.url, http_proxy: forward.url },
    );
    const index = JSON.parse(await fs.promises.readFile(path.join(dest, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(image.manifest.digest);
    // Every request, the token request included, went to the custom host.
    expect(forward.requests.some((r) => r.startsWith(`GET http://${CUSTOM}/v2/token?`))).toBe(true);
    expect(forward.requests.some((r) => r.includes(`/manifests/1.0`))).toBe(true);
    expect(forward.requests.every((r) => r.includes(CUSTOM))).toBe(true);

    await expect(
      skopeo(["inspect", "--tls-verify=false", "--creds", basic(licenseB), `docker://${CUSTOM}/${repo(appB)}:1.0`], { HTTP_PROXY: forward.url, http_proxy: forward.url }),
    ).rejects.toThrow(/not known to registry|NAME_UNKNOWN|name unknown/i);
  });
});

describe("TLS termination in the proxy", () => {
  it("skopeo pulls over HTTPS from the default host with --src-cert-dir", async () => {
    const dest = path.join(work, "tls-copy");
    await skopeo(["copy", "--preserve-digests", "--src-cert-dir", certs.clientCertDir, "--src-creds", basic(licenseA), `docker://127.0.0.1:${tlsProxy.port}/${repo(appA)}:1.0`, `oci:${dest}:1.0`]);
    const index = JSON.parse(await fs.promises.readFile(path.join(dest, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(image.manifest.digest);
  });

  it("picks the custom domain's certificate by SNI and puts https into the realm", async () => {
    const base = `https://${CUSTOM}:${tlsProxy.port}`;
    // Only the domain's own certificate is trusted here: the handshake succeeds only if SNI chose it.
    const res = await curl(`${base}/v2/`, { cacert: certs.domainCert });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(`Bearer realm="${base}/v2/token",service="${CUSTOM}:${tlsProxy.port}"`);
    await expect(curl(`${base}/v2/`, { cacert: certs.defaultCert })).rejects.toThrow();
  });

  it("skopeo pulls over HTTPS through the custom domain", async () => {
    const dest = path.join(work, "tls-custom-copy");
    forward.requests.length = 0;
    await skopeo(
      ["copy", "--preserve-digests", "--src-cert-dir", certs.clientCertDir, "--src-creds", basic(licenseA), `docker://${CUSTOM}/${repo(appA)}:1.0`, `oci:${dest}:1.0`],
      { HTTPS_PROXY: forward.url, https_proxy: forward.url },
    );
    const index = JSON.parse(await fs.promises.readFile(path.join(dest, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(image.manifest.digest);
    expect(forward.requests).toContain(`CONNECT ${CUSTOM}:443`);
  });

  it("reloads a per-domain certificate when its files change", async () => {
    const before = await run("sh", ["-c", `echo | openssl s_client -connect 127.0.0.1:${tlsProxy.port} -servername ${CUSTOM} 2>/dev/null | openssl x509 -noout -fingerprint -sha256`]);
    await certificate(certs.certDir, CUSTOM, `DNS:${CUSTOM}`);
    await new Promise((r) => setTimeout(r, 5500));
    const after = await run("sh", ["-c", `echo | openssl s_client -connect 127.0.0.1:${tlsProxy.port} -servername ${CUSTOM} 2>/dev/null | openssl x509 -noout -fingerprint -sha256`]);
    expect(before.stdout).toMatch(/Fingerprint=/);
    expect(after.stdout).toMatch(/Fingerprint=/);
    expect(after.stdout).not.toBe(before.stdout);
  });
});
