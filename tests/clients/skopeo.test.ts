import fs from "node:fs";
import path from "node:path";
import { defineClientMatrix, runClient } from "../helpers/client-matrix";

// skopeo (containers/image, as podman and buildah use it) against the proxy.

defineClientMatrix("skopeo", async (f, dir) => {
  const authfile = path.join(dir, "skopeo-auth.json");
  let copies = 0;
  return {
    // containers/common prints only "invalid username/password" for any 401 at
    // login and logs the registry's reason at debug level: read it there.
    login: async (licenseId) => {
      await runClient("skopeo", ["--debug", "login", "--tls-verify=false", "--authfile", authfile, "-u", "LICENSE_ID", "-p", licenseId, f.proxy.host]);
    },
    pull: async (ref, licenseId, platform) => {
      const dest = path.join(dir, `copy-${++copies}`);
      const overrides = platform ? ["--override-os", platform.split("/")[0]!, "--override-arch", platform.split("/")[1]!] : [];
      await runClient("skopeo", [
        "--insecure-policy", ...overrides, "copy", "--quiet", "--preserve-digests", "--src-tls-verify=false",
        "--src-creds", `LICENSE_ID:${licenseId}`, `docker://${ref}`, `oci:${dest}:pulled`,
      ]);
      const index = JSON.parse(await fs.promises.readFile(path.join(dest, "index.json"), "utf8")) as { manifests: { digest: string }[] };
      const manifestDigest = index.manifests[0]!.digest;
      const manifest = JSON.parse(await fs.promises.readFile(path.join(dest, "blobs", "sha256", manifestDigest.slice(7)), "utf8")) as { config: { digest: string } };
      return manifest.config.digest;
    },
  };
});
