import { hostNameOf, isLoopbackName } from "@/lib/domains/host-name";
import type { AppRecord, AuthorizationData } from "./authorization-data";

// Which hosts the proxy answers on: the default host (PROXY_PUBLIC_HOST) for
// every team, and each verified custom domain for its own team's apps (only
// one app when the vendor limited it). Matching is on the host name; the port
// is ignored. When the default host is a loopback name (localhost,
// 127.0.0.1, [::1], *.localhost) every loopback name counts as the default,
// so local development works whichever of them the client types.

export type HostScope = { kind: "default" } | { kind: "domain"; hostname: string; teamId: string; appId: string | null };

export const DEFAULT_HOST: HostScope = { kind: "default" };

/** The scope a request's Host grants, or null when the host is not ours. */
export async function resolveRequestHost(data: AuthorizationData, host: string, publicHost: string): Promise<HostScope | null> {
  const name = hostNameOf(host);
  const defaultName = hostNameOf(publicHost);
  if (name === defaultName || (isLoopbackName(defaultName) && isLoopbackName(name))) return DEFAULT_HOST;
  const domain = await data.domain(name);
  return domain ? { kind: "domain", hostname: name, teamId: domain.teamId, appId: domain.appId } : null;
}

/** Whether an app's images may be served on this host. */
export function hostServesApp(scope: HostScope, app: Pick<AppRecord, "id" | "teamId"> | null): boolean {
  if (scope.kind === "default") return true;
  return !!app && app.teamId === scope.teamId && (scope.appId === null || scope.appId === app.id);
}
