import path from "node:path";
import { defineClientMatrix, runClient } from "../helpers/client-matrix";
import { DaemonStartError, startDockerd } from "../helpers/container-daemons";

// Docker against the proxy: dockerd from Debian's docker.io with vfs storage,
// no iptables, bridge or IP forwarding, and data root, exec root, pidfile,
// socket and CLI configuration in the test's temporary directory. The proxy
// is plain HTTP on loopback, which Docker allows for 127.0.0.0/8; it is named
// with --insecure-registry as well. If dockerd cannot start on this machine
// (no namespaces or cgroups), every check is skipped with dockerd's own error.

defineClientMatrix("docker", async (f, dir) => {
  let docker;
  try {
    docker = await startDockerd(path.join(dir, "docker"), { insecureRegistries: [f.proxy.host] });
  } catch (err) {
    if (err instanceof DaemonStartError) return { unavailable: `dockerd did not start: ${err.message}` };
    throw err;
  }
  const cli = (args: string[]) => runClient("docker", args, { env: docker.env });
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
    stop: () => docker.stop(),
  };
});
