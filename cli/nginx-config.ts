import fs from "node:fs";
import path from "node:path";
import { config } from "@/lib/config";
import { parseOptions, UsageError } from "@/cli/usage";
import { parseMasterKey, SECRET_KEY_FILE } from "@/lib/secrets/master-key";
import { nginxConfig } from "@/proxy/cache/nginx-config";
import { offloadKey } from "@/proxy/cache/offload";

// `pullgate nginx-config`: prints the nginx server block for running the proxy
// behind nginx with cached blobs sent by nginx (PULLGATE_OFFLOAD=nginx), for
// this machine's settings (proxy port, cache directory, offload prefix).

export async function nginxConfigCommand(args: string[]): Promise<number> {
  const values = parseOptions(args, {
    listen: { type: "string" },
    "server-name": { type: "string" },
    proxy: { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
  });
  const certFile = values["tls-cert"];
  const keyFile = values["tls-key"];
  if (!certFile !== !keyFile) throw new UsageError("Pass both --tls-cert and --tls-key, or neither.");
  const text = nginxConfig({
    listen: values.listen ?? (certFile ? "443 ssl" : "80"),
    serverName: values["server-name"] ?? config.proxyPublicHost.replace(/:\d+$/, ""),
    proxyAddress: values.proxy ?? `127.0.0.1:${config.proxyPort}`,
    cacheDir: config.cacheDir,
    prefix: config.cacheOffloadPrefix,
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    offloadKey: offloadKey(masterKey()),
  });
  process.stdout.write(text);
  return 0;
}

/** The proxy's master key: PULLGATE_SECRET_KEY, else the embedded mode's key in the data directory. */
function masterKey(): Buffer {
  if (process.env.PULLGATE_SECRET_KEY) return parseMasterKey(process.env.PULLGATE_SECRET_KEY);
  const file = path.join(config.dataDir, SECRET_KEY_FILE);
  if (fs.existsSync(file)) return parseMasterKey(fs.readFileSync(file, "utf8"));
  throw new Error("nginx-config needs the proxy's PULLGATE_SECRET_KEY (the config carries a key derived from it); set it as for the proxy.");
}
