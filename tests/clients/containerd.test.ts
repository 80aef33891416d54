import path from "node:path";
import { expect, it } from "vitest";
import { defineClientMatrix, runClient, type PullFixture } from "../helpers/client-matrix";
import { startContainerd, type ContainerdDaemon } from "../helpers/container-daemons";
import { metricValue } from "../helpers/cache-fixture";

// containerd's `ctr` against the proxy, with its own containerd daemon (root,
// state and socket in the test's temporary directory). ctr has no login: its
// credentials go with each pull, and containerd first tries the OAuth2 POST
// to the token endpoint.

let containerd: ContainerdDaemon | null = null;
let fixture: PullFixture;
const NAMESPACE = "pullgate-test";

async function ctr(args: string[]): Promise<string> {
  return runClient("ctr", ["--address", containerd!.address, "--namespace", NAMESPACE, ...args]);
}

/** The config digest of the image `ref` names for `platform`, read from containerd's content store. */
async function configOf(ref: string, platform: string): Promise<string> {
  const list = await ctr(["images", "ls"]);
  const line = list.split("\n").find((l) => l.startsWith(`${ref} `));
  if (!line) throw new Error(`${ref} not in ctr images ls:\n${list}`);
  const target = line.split(/\s+/).find((field) => field.startsWith("sha256:"))!;
  let manifest = JSON.parse(await ctr(["content", "get", target])) as { manifests?: { digest: string; platform?: { os: string; architecture: string } }[]; config?: { digest: string } };
  if (manifest.manifests) {
    const [os, architecture] = platform.split("/");
    const chosen = manifest.manifests.find((m) => m.platform?.os === os && m.platform?.architecture === architecture);
    if (!chosen) throw new Error(`no ${platform} in ${target}`);
    // Only the chosen platform was fetched: the others are not in the content store.
    for (const other of manifest.manifests.filter((m) => m !== chosen)) {
      await expect(ctr(["content", "get", other.digest])).rejects.toThrow();
    }
    manifest = JSON.parse(await ctr(["content", "get", chosen.digest]));
  }
  const config = manifest.config!.digest;
  await ctr(["content", "get", config]); // fetched, not only named
  return config;
}

defineClientMatrix("containerd", async (f, dir) => {
  containerd = await startContainerd(path.join(dir, "containerd"));
  fixture = f;
  return {
    pull: async (ref, licenseId, platform) => {
      const args = ["images", "pull", "--plain-http", "--snapshotter", "native", "--user", `LICENSE_ID:${licenseId}`];
      if (platform) args.push("--platform", platform);
      await ctr([...args, ref]);
      return configOf(ref, platform ?? "linux/amd64");
    },
    stop: async () => {
      await containerd?.stop();
    },
  };
}, { hasLogin: false });

it("containerd's OAuth2 POST to the token endpoint is answered, never with 405", async () => {
  const before = metricValue(await fixture.proxy.metrics(), "pullgate_proxy_http_requests_total", { route: "/v2/token", method: "POST", status: "200" });
  await ctr(["images", "pull", "--plain-http", "--snapshotter", "native", "--user", `LICENSE_ID:${fixture.licenses.active}`, fixture.image(":1.0")]);
  const metrics = await fixture.proxy.metrics();
  expect(metricValue(metrics, "pullgate_proxy_http_requests_total", { route: "/v2/token", method: "POST", status: "200" })).toBeGreaterThan(before);
  expect(metricValue(metrics, "pullgate_proxy_http_requests_total", { route: "/v2/token", status: "405" })).toBe(0);
});
