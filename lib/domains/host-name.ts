import { config } from "@/lib/config";

// Host headers and PROXY_PUBLIC_HOST carry an optional port; domains are
// matched on the bare, lower-cased host name.

/** `Registry.Acme.com:8443` → `registry.acme.com`, `[::1]:5050` → `[::1]`, trailing dot dropped. */
export function hostNameOf(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith("[")) {
    const end = name.indexOf("]");
    return end >= 0 ? name.slice(0, end + 1) : name;
  }
  const colon = name.lastIndexOf(":");
  if (colon >= 0 && name.indexOf(":") === colon) name = name.slice(0, colon);
  return name.replace(/\.$/, "");
}

/** The default proxy host name (PROXY_PUBLIC_HOST without its port): the CNAME target for custom domains. */
export function defaultProxyHostName(): string {
  return hostNameOf(config.proxyPublicHost);
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function isLoopbackName(name: string): boolean {
  return LOOPBACK_NAMES.has(name) || name.endsWith(".localhost");
}
