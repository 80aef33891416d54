import type { RegistryProvider } from "@/lib/generated/prisma/enums";

// What each provider asks for, as plain data the form (a client component)
// can import without pulling in server code. schemas.ts enforces the same.

export const REGISTRY_PROVIDERS = ["dockerhub", "ghcr", "quay", "ecr", "gar", "gcr", "other"] as const satisfies readonly RegistryProvider[];

export type ProviderInfo = {
  label: string;
  /** Fixed registry host (no endpoint field), or null when the vendor types one. */
  fixedEndpoint: string | null;
  endpointLabel: string;
  endpointPlaceholder: string;
  /** Default host when the field is left blank (GCR). */
  defaultEndpoint?: string;
  /** null: no username field (Google JSON keys use `_json_key`). */
  usernameLabel: string | null;
  usernamePlaceholder?: string;
  passwordLabel: string;
  /** Multi-line secret pasted or uploaded (a JSON key file). */
  passwordIsJsonKey?: boolean;
  /** Both username and password may be left blank (anonymous registry). */
  credentialsOptional?: boolean;
  help: string;
};

export const PROVIDERS: Record<RegistryProvider, ProviderInfo> = {
  dockerhub: {
    label: "Docker Hub",
    fixedEndpoint: "index.docker.io",
    endpointLabel: "Registry host",
    endpointPlaceholder: "index.docker.io",
    usernameLabel: "Docker Hub username",
    passwordLabel: "Password or access token",
    help: "Use a read-only personal access token (Account settings → Personal access tokens).",
  },
  ghcr: {
    label: "GitHub Container Registry",
    fixedEndpoint: "ghcr.io",
    endpointLabel: "Registry host",
    endpointPlaceholder: "ghcr.io",
    usernameLabel: "GitHub username",
    passwordLabel: "Personal access token",
    help: "A classic token with only the read:packages scope.",
  },
  quay: {
    label: "Quay",
    fixedEndpoint: "quay.io",
    endpointLabel: "Registry host",
    endpointPlaceholder: "quay.io",
    usernameLabel: "Username or robot account",
    usernamePlaceholder: "acme+pullgate",
    passwordLabel: "Password or robot token",
    help: "A robot account with read permission on your repositories.",
  },
  ecr: {
    label: "Amazon ECR",
    fixedEndpoint: null,
    endpointLabel: "Registry host",
    endpointPlaceholder: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    usernameLabel: "Access key ID",
    usernamePlaceholder: "AKIA…",
    passwordLabel: "Secret access key",
    help: "An IAM user with ecr:GetAuthorizationToken and read access (e.g. AmazonEC2ContainerRegistryReadOnly).",
  },
  gar: {
    label: "Google Artifact Registry",
    fixedEndpoint: null,
    endpointLabel: "Registry host",
    endpointPlaceholder: "europe-west1-docker.pkg.dev",
    usernameLabel: null,
    passwordLabel: "Service-account JSON key",
    passwordIsJsonKey: true,
    help: "A service account with the Artifact Registry Reader role; paste or upload its JSON key.",
  },
  gcr: {
    label: "Google Container Registry",
    fixedEndpoint: null,
    endpointLabel: "Registry host",
    endpointPlaceholder: "gcr.io",
    defaultEndpoint: "gcr.io",
    usernameLabel: null,
    passwordLabel: "Service-account JSON key",
    passwordIsJsonKey: true,
    help: "A service account with Storage Object Viewer on the registry bucket; paste or upload its JSON key.",
  },
  other: {
    label: "Other registry",
    fixedEndpoint: null,
    endpointLabel: "Registry host[:port]",
    endpointPlaceholder: "registry.example.com:5000",
    usernameLabel: "Username",
    passwordLabel: "Password",
    credentialsOptional: true,
    help: "Any registry speaking the Docker/OCI distribution API (Harbor, GitLab, Nexus, Distribution…).",
  },
};

export const ECR_HOST = /^(\d{12})\.dkr(?:-ecr)?\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

export const CONNECTION_STATUS_LABELS: Record<string, string> = {
  connected: "Connected",
  unauthorized: "Wrong credentials",
  unreachable: "Unreachable",
  address_not_allowed: "Address not allowed",
  tls: "TLS error",
  not_a_registry: "Not a registry",
  not_found: "Image not found",
  forbidden: "No pull access",
  upstream_error: "Registry error",
  invalid_image: "Invalid image",
  secret_unreadable: "Password unreadable",
};
