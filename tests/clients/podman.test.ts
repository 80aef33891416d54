import fs from "node:fs";
import path from "node:path";
import { defineClientMatrix, runClient } from "../helpers/client-matrix";

// podman against the proxy: vfs storage with its own root, run root, temp
// directory and configuration files in the test's temporary directory, so
// nothing of the machine's containers set-up is read or written.

defineClientMatrix("podman", async (f, dir) => {
  const root = path.join(dir, "podman");
  await fs.promises.mkdir(path.join(root, "tmp"), { recursive: true });
  const storageConf = path.join(root, "storage.conf");
  await fs.promises.writeFile(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${root}/graph"\nrunroot = "${root}/run"\n`);
  const containersConf = path.join(root, "containers.conf");
  await fs.promises.writeFile(containersConf, `[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "${root}/events.log"\nvolume_path = "${root}/volumes"\n[network]\nnetwork_config_dir = "${root}/networks"\n`);
  const registriesConf = path.join(root, "registries.conf");
  await fs.promises.writeFile(registriesConf, "unqualified-search-registries = []\n");
  const env = {
    CONTAINERS_STORAGE_CONF: storageConf,
    CONTAINERS_CONF: containersConf,
    CONTAINERS_REGISTRIES_CONF: registriesConf,
    TMPDIR: path.join(root, "tmp"),
    XDG_RUNTIME_DIR: path.join(root, "run"),
  };
  const authfile = path.join(root, "auth.json");
  // Pulls take --creds; an empty auth file keeps podman from reading the machine's.
  const noAuth = path.join(root, "no-auth.json");
  await fs.promises.writeFile(noAuth, '{"auths":{}}\n');
  const podman = (args: string[], logLevel = "warn") =>
    runClient("podman", ["--log-level", logLevel, "--root", `${root}/graph`, "--runroot", `${root}/run`, "--storage-driver", "vfs", "--tmpdir", path.join(root, "tmp"), ...args], { env });
  return {
    // containers/common prints only "invalid username/password" for any 401 at
    // login and logs the registry's reason at debug level: read it there.
    login: async (licenseId) => {
      await podman(["login", "--tls-verify=false", "--authfile", authfile, "-u", "LICENSE_ID", "-p", licenseId, f.proxy.host], "debug");
    },
    pull: async (ref, licenseId, platform) => {
      const args = ["pull", "--quiet", "--tls-verify=false", "--authfile", noAuth, "--creds", `LICENSE_ID:${licenseId}`];
      if (platform) args.push("--platform", platform);
      const id = (await podman([...args, ref])).trim();
      return `sha256:${id}`;
    },
  };
});
