import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createApiToken } from "@/lib/api-tokens/create-api-token";
import { startPullFixture, type PullFixture } from "../helpers/pull-fixture";
import { PORTAL_BUILD_TIMEOUT_MS, startPortalProcess, type PortalProcess } from "../helpers/portal-process";

// The remote CLI as vendors run it: bin/pullgate.mjs in a subprocess, talking
// only to a running portal over HTTP (no DATABASE_URL in its environment),
// stdin not a terminal. The proxy and a Distribution registry stand behind it
// so a pull secret can be used for a real skopeo pull.

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

type Result = { code: number | null; stdout: string; stderr: string };

let f: PullFixture;
let portal: PortalProcess;
let token: string;
let configHome: string;

function pullgate(args: string[], env: Record<string, string | undefined> = {}, stdin?: string): Promise<Result> {
  return new Promise((resolve) => {
    const fullEnv: Record<string, string | undefined> = {
      ...process.env,
      // Never the database: the CLI must get everything from the API.
      DATABASE_URL: undefined,
      PULLGATE_DATA_DIR: path.join(configHome, "no-data-dir"),
      XDG_CONFIG_HOME: configHome,
      PULLGATE_API_URL: portal.url,
      PULLGATE_API_TOKEN: token,
      ...env,
    };
    for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k];
    const child = spawn(process.execPath, [path.join(root, "bin/pullgate.mjs"), ...args], { cwd: root, env: fullEnv as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(stdin ?? "");
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(args: string[], env?: Record<string, string | undefined>): Promise<string> {
  const r = await pullgate(args, env);
  expect(r.code, `pullgate ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const json = async (args: string[]) => JSON.parse(await ok([...args, "--output", "json"]));

beforeAll(async () => {
  configHome = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-cli-config-"));
  f = await startPullFixture("cli");
  token = (await createApiToken({ teamId: f.actor.teamId, createdById: f.actor.userId, name: "cli tests" })).token;
  portal = await startPortalProcess({
    DATABASE_URL: process.env.DATABASE_URL!,
    PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
    PROXY_PUBLIC_HOST: f.proxy.host,
    PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
  });
}, PORTAL_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await portal?.stop();
  await f?.stop();
  fs.rmSync(configHome, { recursive: true, force: true });
});

describe("pullgate remote commands", () => {
  const slug = `cli-${randomBytes(3).toString("hex")}`;
  let customerId = "";
  let licenseId = "";

  it("creates an app and a customer, changes its expiry, and reads it back as JSON, YAML and a table", async () => {
    const app = await json(["apps", "create", "--name", "CLI app", "--slug", slug]);
    expect(app).toMatchObject({ slug, name: "CLI app" });

    const created = await json(["customers", "create", "--app", slug, "--name", "Globex", "--email", "ops@globex.test", "--type", "trial", "--expires", "2027-01-15"]);
    expect(created).toMatchObject({ appId: app.id, name: "Globex", email: "ops@globex.test", type: "trial" });
    expect(created.license.expiresAt).toBe("2027-01-15T00:00:00.000Z");
    customerId = created.id;
    licenseId = created.license.licenseId;

    const updated = await json(["customers", "update", customerId, "--expires", "2027-06-30"]);
    expect(updated.license.expiresAt).toBe("2027-06-30T00:00:00.000Z");
    const off = await json(["customers", "update", customerId, "--registry-access", "off"]);
    expect(off.license).toMatchObject({ registryAccess: false, status: "disabled" });
    await ok(["customers", "update", customerId, "--registry-access", "on"]);

    const asYaml = parseYaml(await ok(["customers", "get", customerId, "--output", "yaml"]));
    expect(asYaml).toMatchObject({ id: customerId, license: { expiresAt: "2027-06-30T00:00:00.000Z", registryAccess: true } });

    // The global option also works before the subcommand.
    const listed = JSON.parse(await ok(["--output", "json", "customers", "ls", "--app", slug]));
    expect(listed.map((c: { id: string }) => c.id)).toEqual([customerId]);
    const table = await ok(["customers", "ls", "--app", slug]);
    expect(table.split("\n")[0]).toMatch(/^ID\s+NAME\s+EMAIL\s+TYPE\s+STATUS\s+EXPIRES\s+LAST PULL$/);
    expect(table).toMatch(new RegExp(`${customerId}\\s+Globex\\s+ops@globex.test\\s+trial\\s+active\\s+2027-06-30`));

    const apps = await json(["apps", "ls"]);
    expect(apps.map((a: { slug: string }) => a.slug)).toContain(slug);
  });

  it("prints the pull secret as a Kubernetes Secret whose auth pulls through the proxy, and lists that pull", async () => {
    const secret = parseYaml(await ok(["pull-secret", customerId, "--k8s", "--namespace", "acme"]));
    expect(secret).toMatchObject({ apiVersion: "v1", kind: "Secret", type: "kubernetes.io/dockerconfigjson", metadata: { namespace: "acme" } });
    const dockerconfig = JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString("utf8"));
    const auth = Buffer.from(dockerconfig.auths[f.proxy.host].auth, "base64").toString("utf8");
    expect(auth).toBe(`ops@globex.test:${licenseId}`);
    expect(JSON.parse(await ok(["pull-secret", customerId]))).toEqual(dockerconfig);

    // skopeo pulls with exactly the auth the secret carries.
    const work = fs.mkdtempSync(path.join(f.work, "cli-pull-"));
    const authfile = path.join(work, "auth.json");
    fs.writeFileSync(authfile, JSON.stringify(dockerconfig));
    await run("skopeo", ["--insecure-policy", "copy", "--quiet", "--src-tls-verify=false", "--src-authfile", authfile, `docker://${f.image(":1.0", slug)}`, `oci:${path.join(work, "copy")}:x`]);

    let pulls: { customerId: string; tag: string; outcome: string; repository: string }[] = [];
    for (let i = 0; i < 40 && pulls.length === 0; i++) {
      pulls = await json(["pulls", "ls", "--customer", customerId, "--since", "1h"]);
      if (pulls.length === 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ customerId, tag: "1.0", outcome: "success", repository: `proxy/${slug}/vendor-reg/acme/api` });
    const table = await ok(["pulls", "ls", "--customer", customerId]);
    expect(table).toMatch(/Globex\s+proxy\/\S+\/vendor-reg\/acme\/api\s+1\.0\s+success/);
  });

  it("answers a wrong token with exit 1 and the API's message, and a wrong flag with exit 2", async () => {
    const wrong = await pullgate(["customers", "ls"], { PULLGATE_API_TOKEN: `pgt_AAAAAAAA_${"A".repeat(40)}` });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("The API token is invalid or revoked.");
    expect(wrong.stdout).toBe("");

    const flag = await pullgate(["customers", "ls", "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--bogus'");
    expect((await pullgate(["customers", "update", customerId, "--registry-access", "maybe"])).code).toBe(2);
    expect((await pullgate(["customers", "create", "--name", "No app"])).code).toBe(2);

    const invalid = await pullgate(["customers", "update", customerId, "--expires", "next tuesday"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/expiresAt: Must be an ISO 8601 date-time/);
    const missing = await pullgate(["customers", "get", "no-such-customer"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: .*not found/im);
  });

  it("logs in without prompting, keeping the token in a 0600 file, and manages tokens", async () => {
    const env = { PULLGATE_API_URL: undefined, PULLGATE_API_TOKEN: undefined };
    expect((await pullgate(["login", "--api-url", portal.url], env)).code).toBe(2);
    const login = await pullgate(["login", "--api-url", portal.url, "--token-stdin"], env, `${token}\n`);
    expect(login.code, login.stderr).toBe(0);
    const file = path.join(configHome, "pullgate", "config.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ apiUrl: portal.url, token });

    const created = await pullgate(["tokens", "create", "--name", "from the cli"], env);
    expect(created.code, created.stderr).toBe(0);
    const fresh = created.stdout.trim();
    expect(fresh).toMatch(/^pgt_\w{8}_\w{40}$/);
    const tokens = JSON.parse(await ok(["tokens", "ls", "--output", "json"], env));
    const listed = tokens.find((t: { name: string }) => t.name === "from the cli");
    expect(listed.prefix).toBe(fresh.slice(0, 12));
    await ok(["tokens", "revoke", listed.id], env);
    const revoked = await pullgate(["apps", "ls"], { PULLGATE_API_TOKEN: fresh });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain("The API token is invalid or revoked.");

    const wrongLogin = await pullgate(["login", "--api-url", portal.url, "--token", `pgt_BBBBBBBB_${"B".repeat(40)}`], env);
    expect(wrongLogin.code).toBe(1);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).token).toBe(token);
    await ok(["logout"], env);
    const loggedOut = await pullgate(["apps", "ls"], env);
    expect(loggedOut.code).toBe(1);
    expect(loggedOut.stderr).toContain("Not logged in");
  });

  it("lists and tests registries and domains", async () => {
    const registries = await json(["registries", "ls"]);
    const reg = registries.find((r: { name: string }) => r.name === "vendor-reg");
    expect(reg).toMatchObject({ endpoint: f.registry.host, username: "vendor" });
    expect(JSON.stringify(registries)).not.toMatch(/secret|password/i);
    const tested = await json(["registries", "test", reg.id, "--image", "acme/api:1.0"]);
    expect(tested).toMatchObject({ ok: true });

    const host = `registry-${randomBytes(3).toString("hex")}.example.com`;
    const added = await json(["domains", "add", host, "--app", slug]);
    expect(added).toMatchObject({ hostname: host, status: "pending" });
    expect((await json(["domains", "ls"])).map((d: { hostname: string }) => d.hostname)).toContain(host);
  });

  it("archives and unarchives; licenses download names a missing customer", async () => {
    expect((await json(["customers", "archive", customerId])).license.status).toBe("archived");
    expect((await json(["customers", "unarchive", customerId])).license.status).toBe("active");
    const download = await pullgate(["licenses", "download", "no-such-customer"]);
    expect(download.code).toBe(1);
    expect(download.stderr).toMatch(/^Error: /);
  });
});
