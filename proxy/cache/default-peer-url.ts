import os from "node:os";

/**
 * Where other replicas reach this one when PULLGATE_PEER_URL is unset: the
 * first non-internal IPv4 address (a pod's or VM's own address), else loopback.
 */
export function defaultPeerUrl(port: number, tls: boolean): string {
  const address =
    Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address ?? "127.0.0.1";
  return `${tls ? "https" : "http"}://${address}:${port}`;
}
