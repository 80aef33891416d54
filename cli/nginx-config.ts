import { config } from "@/lib/config";
import { parseOptions, UsageError } from "@/cli/usage";
import { nginxConfig } from "@/proxy/cache/nginx-config";

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
  });
  process.stdout.write(text);
  return 0;
}
