import http from "node:http";
import path from "node:path";
import { expect, it } from "vitest";
import { defineClientMatrix, runClient, type PullFixture } from "../helpers/client-matrix";
import { DaemonStartError, startDockerd, type DockerDaemon } from "../helpers/container-daemons";

// Docker against the proxy: dockerd from Debian's docker.io with vfs storage,
// no iptables, bridge or IP forwarding, and data root, exec root, pidfile,
// socket and CLI configuration in the test's temporary directory. The proxy
// is plain HTTP on loopback, which Docker allows for 127.0.0.0/8; it is named
// with --insecure-registry as well. If dockerd cannot start on this machine
// (no namespaces or cgroups), every check is skipped with dockerd's own error.

let docker: DockerDaemon | null = null;
let fixture: PullFixture;

defineClientMatrix("docker", async (f, dir) => {
  fixture = f;
  try {
    docker = await startDockerd(path.join(dir, "docker"), { insecureRegistries: [f.proxy.host] });
  } catch (err) {
    if (err instanceof DaemonStartError) return { unavailable: `dockerd did not start: ${err.message}` };
    throw err;
  }
  const cli = (args: string[]) => runClient(docker!.cli, args, { env: docker!.env });
  const login = (licenseId: string) => cli(["login", "-u", "LICENSE_ID", "-p", licenseId, f.proxy.host]);
  return {
    login: async (licenseId) => {
      await login(licenseId);
    },
    pull: async (ref, licenseId, platform) => {
      // Each pull with its own credentials, as a CI job would: log in (a refusal already says why), pull, log out.
      await login(licenseId);
      try {
        await cli(["pull", "--quiet", ...(platform ? ["--platform", platform] : []), ref]);
        return (await cli(["image", "inspect", "--format", "{{.Id}}", ref])).trim();
      } finally {
        await cli(["logout", f.proxy.host]).catch(() => {});
      }
    },
    stop: () => docker!.stop(),
  };
});

/** The Engine API's pull (what the CLI calls), answered over dockerd's socket. */
function engineCreateImage(image: string, tag: string, licenseId: string): Promise<{ status: number; body: string }> {
  const auth = Buffer.from(JSON.stringify({ username: "LICENSE_ID", password: licenseId, serveraddress: fixture.proxy.host })).toString("base64").replace(/\+/g, "-").replace(/\//g, "_"); // URL alphabet, padded: what Docker decodes
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: docker!.socket, method: "POST", path: `/images/create?fromImage=${encodeURIComponent(image)}&tag=${encodeURIComponent(tag)}`, headers: { "X-Registry-Auth": auth } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

it("the Engine API answers a tag that is not there with 404 and the proxy's message, not 500", async (ctx) => {
  if (!docker) ctx.skip("dockerd did not start");
  const res = await engineCreateImage(fixture.image(""), "nope", fixture.licenses.active);
  expect(res.status, res.body).toBe(404);
  expect(res.body).toContain(`manifest for ${fixture.repository}:nope not found`);
}, 120_000);
