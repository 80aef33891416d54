import { decidePull, type PullDenialReason } from "@/lib/licenses/decide-pull";
import type { AuthorizationData, AppRecord, LicenseRecord, RegistryRecord } from "./authorization-data";
import { DEFAULT_HOST, hostServesApp, type HostScope } from "./request-host";

// Decides, for one request, whether a license may pull from a repository
// path. Runs on every request (not only at token time) so revocations apply
// to tokens already issued. This file only loads the rows (cached, see
// authorization-data.ts); the rule itself is lib/licenses/decide-pull.ts,
// the same function the portal's "may pull" lists use.

export type Authorized = {
  ok: true;
  license: LicenseRecord;
  app: AppRecord;
  registry: RegistryRecord;
  /** The repository path on the upstream registry, e.g. `acme/api`. */
  upstreamImage: string;
};

export type Denied = {
  ok: false;
  code: "DENIED" | "NAME_UNKNOWN";
  /** Stored on the pull event. */
  reason: PullDenialReason;
  message: string;
  /** Known even when denied, for pull events. */
  license: LicenseRecord;
  app: AppRecord | null;
};

export async function checkLicenseAccess(
  data: AuthorizationData,
  license: LicenseRecord,
  appSlug: string,
  segments: string[],
  hostScope: HostScope = DEFAULT_HOST,
  now = new Date(),
): Promise<Authorized | Denied> {
  const found = await data.app(appSlug);
  const app = found && found.teamId === license.teamId && hostServesApp(hostScope, found) ? found : null;
  // Stryker disable next-line ArrayDeclaration: decidePull answers NAME_UNKNOWN for a missing app before it looks at registries
  const registries = app ? await data.registries(app.teamId) : [];
  const decision = decidePull({ license, app, appSlug, registries, segments, now });
  // decidePull allows only a known app, so `app` is set whenever the decision is ok.
  return { ...decision, license, app } as Authorized | Denied;
}
