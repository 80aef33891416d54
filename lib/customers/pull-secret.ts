import { config } from "@/lib/config";

// What a vendor hands a customer so their cluster can pull through the proxy.
// The license ID is the password; the username may be anything, so the
// customer's email (or KOTS' "LICENSE_ID") is used for readability.

export type PullSecretInput = {
  licenseId: string;
  email?: string | null;
  /** Proxy hosts (default first, then verified custom domains). Defaults to [PROXY_PUBLIC_HOST]. */
  hosts?: string[];
  /** Kubernetes Secret name. */
  secretName?: string;
  namespace?: string;
};

export type PullSecret = {
  hosts: string[];
  username: string;
  /** The `.dockerconfigjson` content, as a JSON string. */
  dockerconfigjson: string;
  secretYaml: string;
  helmValues: string;
  dockerLogin: string;
};

export function pullSecretUsername(email: string | null | undefined): string {
  return email && email.trim() ? email.trim() : "LICENSE_ID";
}

export function buildDockerConfigJson(hosts: string[], username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`, "utf8").toString("base64");
  const auths: Record<string, { auth: string }> = {};
  for (const host of hosts) auths[host] = { auth };
  return JSON.stringify({ auths });
}

/** A Kubernetes object name from free text (DNS-1123 label). */
function toK8sName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  return cleaned || "pullgate-registry";
}

export function buildPullSecret(input: PullSecretInput): PullSecret {
  const hosts = input.hosts?.length ? [...new Set(input.hosts)] : [config.proxyPublicHost];
  const username = pullSecretUsername(input.email);
  const dockerconfigjson = buildDockerConfigJson(hosts, username, input.licenseId);
  const secretName = toK8sName(input.secretName ?? "pullgate-registry");
  const metadata = [`  name: ${secretName}`];
  if (input.namespace) metadata.push(`  namespace: ${toK8sName(input.namespace)}`);
  const secretYaml = [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    ...metadata,
    "type: kubernetes.io/dockerconfigjson",
    "data:",
    `  .dockerconfigjson: ${Buffer.from(dockerconfigjson, "utf8").toString("base64")}`,
    "",
  ].join("\n");
  const helmValues = ["imagePullSecrets:", `  - name: ${secretName}`, ""].join("\n");
  const dockerLogin = `docker login ${hosts[0]} -u ${shellQuote(username)} -p ${input.licenseId}`;
  return { hosts, username, dockerconfigjson, secretYaml, helmValues, dockerLogin };
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9@._+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
