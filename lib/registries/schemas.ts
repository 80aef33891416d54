import { z } from "zod";
import { DOCKER_HUB_ENDPOINT, hostname, normalizeEndpoint } from "@/lib/upstream/endpoint";
import { outboundPolicy, refusalMessage } from "@/lib/outbound/outbound-policy";
import { ipLiteral } from "@/lib/outbound/resolve-allowed";
import { isDockerHubHost } from "@/lib/images/reference";
import { ECR_HOST, PROVIDERS, REGISTRY_PROVIDERS } from "@/lib/registries/providers";
import { aliasRequiredMessage, isHostPathComponent } from "@/lib/registries/path-segment";
import type { RegistryProvider } from "@/lib/generated/prisma/enums";

export { REGISTRY_PROVIDERS };

// One schema per provider, asking only for what that provider needs, shared by
// the form, its server action and the REST API. Error messages never echo the
// password field's value.

export const PROVIDER_LABELS = Object.fromEntries(
  Object.entries(PROVIDERS).map(([provider, info]) => [provider, info.label]),
) as Record<RegistryProvider, string>;

/** Endpoints of providers that live at one fixed host. */
export const FIXED_ENDPOINTS: Partial<Record<RegistryProvider, string>> = {
  dockerhub: DOCKER_HUB_ENDPOINT,
  ghcr: "ghcr.io",
  quay: "quay.io",
};

// host[:port]: DNS name (at least "localhost" or a dotted name), IPv4, or [IPv6].
const HOST_PORT =
  /^(?:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;

export const ALIAS_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const GAR_HOST = /^[a-z0-9-]+-docker\.pkg\.dev$/;
const GCR_HOST = /^(?:[a-z]+\.)?gcr\.io$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

// URL parsers read a host whose last label is a number (127.1, 2130706433,
// 0x7f000001, 1.0x2) as an IPv4 address: only the dotted-quad spelling is
// accepted, so the address a vendor sees is the one Pullgate connects to.
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|\d+)$/;
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isValidEndpoint(value: string): boolean {
  const match = HOST_PORT.exec(value);
  if (!match || value.length > 253) return false;
  const host = hostname(value);
  if (!value.startsWith("[") && NUMERIC_LABEL.test(host.slice(host.lastIndexOf(".") + 1)) && !DOTTED_QUAD.test(host)) return false;
  const port = match[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/** An endpoint that is an IP address the outbound policy refuses, with the refusal; null otherwise (names are judged when resolved). */
export function refusedEndpointAddress(endpoint: string): string | null {
  const literal = ipLiteral(hostname(endpoint));
  if (!literal) return null;
  const decision = outboundPolicy().check(literal);
  return decision.allowed ? null : refusalMessage(decision.address, decision.allowable);
}

const endpointSchema = z
  .string({ error: "Must be a string." })
  .transform(normalizeEndpoint)
  .refine((value) => value.length > 0, "Registry host is required.")
  .refine(
    isValidEndpoint,
    "Must be a registry host, optionally with a port (e.g. registry.example.com or 10.0.0.5:5000); write an IP address as four decimal numbers.",
  )
  .superRefine((value, ctx) => {
    const refused = isValidEndpoint(value) ? refusedEndpointAddress(value) : null;
    if (refused) ctx.addIssue({ code: "custom", message: `${refused[0]!.toUpperCase()}${refused.slice(1)}.` });
  });

const aliasSchema = z
  .string({ error: "Must be a string." })
  .trim()
  .toLowerCase()
  .transform((value) => (value === "" ? null : value))
  .nullable()
  .refine(
    (value) => value === null || ALIAS_PATTERN.test(value),
    "Alias must be 1 to 63 lowercase letters, digits, '_' or '-', starting with a letter or digit (no '.' or ':': it is used in image paths instead of the host).",
  )
  .refine((value) => value !== "localhost", 'Alias cannot be "localhost".');

const usernameSchema = z.string({ error: "Must be a string." }).trim().max(256, "Username must be at most 256 characters.");
const requiredUsername = usernameSchema.min(1, "Username is required.");
const passwordSchema = z
  .string({ error: "Must be a string." })
  .max(16_384, "Password must be at most 16384 characters.")
  .refine((value) => value.trim().length > 0, "Password is required.");
const appIdsSchema = z
  .array(z.string().min(1).max(64), { error: "Must be a list of app IDs." })
  .max(500, "At most 500 apps.")
  .transform((ids) => [...new Set(ids)]);

const common = {
  name: aliasSchema.optional(),
  appIds: appIdsSchema.nullable().optional(),
  skipValidation: z.boolean({ error: "Must be true or false." }).optional(),
  allowHttp: z.literal(false, { error: "Plain HTTP can only be allowed for provider \"other\"." }).optional(),
};

function fixedEndpoint(provider: "dockerhub" | "ghcr" | "quay", matches: (host: string) => boolean) {
  const fixed = FIXED_ENDPOINTS[provider]!;
  return endpointSchema
    .optional()
    .refine((value) => value === undefined || matches(value), `The ${PROVIDER_LABELS[provider]} endpoint is always ${fixed}.`)
    .transform(() => fixed);
}

const serviceAccountKeySchema = passwordSchema.refine((value) => {
  try {
    const json = JSON.parse(value) as { type?: unknown; private_key?: unknown; client_email?: unknown };
    return json.type === "service_account" && typeof json.private_key === "string" && typeof json.client_email === "string";
  } catch {
    return false;
  }
}, "Must be a service-account JSON key (the file downloaded from Google Cloud, with type \"service_account\").");

const googleUsername = z
  .enum(["_json_key", "oauth2accesstoken"], { error: 'Username must be "_json_key" (JSON key) or "oauth2accesstoken".' })
  .optional()
  .transform((value) => value ?? "_json_key");

export const dockerhubSchema = z.strictObject({
  provider: z.literal("dockerhub"),
  endpoint: fixedEndpoint("dockerhub", isDockerHubHost),
  username: requiredUsername,
  password: passwordSchema,
  ...common,
});

export const ghcrSchema = z.strictObject({
  provider: z.literal("ghcr"),
  endpoint: fixedEndpoint("ghcr", (host) => host === "ghcr.io"),
  username: requiredUsername,
  password: passwordSchema,
  ...common,
});

export const quaySchema = z.strictObject({
  provider: z.literal("quay"),
  endpoint: fixedEndpoint("quay", (host) => host === "quay.io"),
  username: requiredUsername,
  password: passwordSchema,
  ...common,
});

export const ecrSchema = z.strictObject({
  provider: z.literal("ecr"),
  endpoint: endpointSchema.refine(
    (host) => ECR_HOST.test(host),
    "Must be an ECR registry host: <account>.dkr.ecr.<region>.amazonaws.com.",
  ),
  username: requiredUsername.refine((value) => ACCESS_KEY_ID.test(value), "Must be an AWS access key ID (e.g. AKIA…)."),
  password: passwordSchema,
  ...common,
});

export const garSchema = z
  .strictObject({
    provider: z.literal("gar"),
    endpoint: endpointSchema.refine((host) => GAR_HOST.test(host), "Must be an Artifact Registry host: <region>-docker.pkg.dev."),
    username: googleUsername,
    password: passwordSchema,
    ...common,
  })
  .superRefine(checkGoogleKey);

export const gcrSchema = z
  .strictObject({
    provider: z.literal("gcr"),
    endpoint: endpointSchema
      .optional()
      .transform((value) => value ?? "gcr.io")
      .refine((host) => GCR_HOST.test(host), "Must be gcr.io or a regional host such as eu.gcr.io."),
    username: googleUsername,
    password: passwordSchema,
    ...common,
  })
  .superRefine(checkGoogleKey);

function checkGoogleKey(value: { username: string; password: string }, ctx: z.RefinementCtx) {
  if (value.username === "_json_key" && !serviceAccountKeySchema.safeParse(value.password).success) {
    ctx.addIssue({
      code: "custom",
      path: ["password"],
      message: 'Must be a service-account JSON key (the file downloaded from Google Cloud, with type "service_account").',
    });
  }
}

export const otherSchema = z
  .strictObject({
    provider: z.literal("other"),
    endpoint: endpointSchema,
    // Both blank: an anonymous registry.
    username: usernameSchema.optional().transform((value) => value ?? ""),
    password: z.string({ error: "Must be a string." }).max(16_384, "Password must be at most 16384 characters.").optional().transform((v) => v ?? ""),
    ...common,
    allowHttp: z.boolean({ error: "Must be true or false." }).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.username && !value.password.trim()) {
      ctx.addIssue({ code: "custom", path: ["password"], message: "Password is required when a username is given." });
    }
    if (!value.username && value.password) {
      ctx.addIssue({ code: "custom", path: ["username"], message: "Username is required when a password is given." });
    }
    if (isDockerHubHost(value.endpoint)) {
      ctx.addIssue({ code: "custom", path: ["provider"], message: 'Use provider "dockerhub" for Docker Hub.' });
    }
    // A registry no app may use (appIds: []) can wait for its alias; any other needs a path segment.
    const forApps = value.appIds === null || value.appIds === undefined || value.appIds.length > 0;
    if (forApps && !value.name && isValidEndpoint(value.endpoint) && !isHostPathComponent(value.endpoint)) {
      ctx.addIssue({ code: "custom", path: ["name"], message: aliasRequiredMessage(value.endpoint) });
    }
  });

/** Body of POST /api/v1/registries and of the "Link registry" form. */
export const createRegistrySchema = z.discriminatedUnion(
  "provider",
  [dockerhubSchema, ghcrSchema, quaySchema, ecrSchema, garSchema, gcrSchema, otherSchema],
  { error: `Provider must be one of: ${REGISTRY_PROVIDERS.join(", ")}.` },
);

export type CreateRegistryInput = z.input<typeof createRegistrySchema>;
export type RegistryFields = z.output<typeof createRegistrySchema>;

/**
 * Body of PATCH /api/v1/registries/{id} and of the edit form. The provider
 * cannot change; a blank or absent password keeps the stored secret. The
 * merged record is validated again with the provider's create schema.
 */
export const updateRegistrySchema = z.strictObject({
  provider: z.enum(REGISTRY_PROVIDERS, { error: `Provider must be one of: ${REGISTRY_PROVIDERS.join(", ")}.` }).optional(),
  endpoint: z.string({ error: "Must be a string." }).optional(),
  name: z.string({ error: "Must be a string." }).nullable().optional(),
  username: z.string({ error: "Must be a string." }).optional(),
  password: z.string({ error: "Must be a string." }).max(16_384, "Password must be at most 16384 characters.").optional(),
  allowHttp: z.boolean({ error: "Must be true or false." }).optional(),
  appIds: z.array(z.string().min(1).max(64), { error: "Must be a list of app IDs." }).max(500).nullable().optional(),
  skipValidation: z.boolean({ error: "Must be true or false." }).optional(),
});

export type UpdateRegistryInput = z.input<typeof updateRegistrySchema>;

/** Body of POST /api/v1/registries/{id}/test. */
export const testRegistrySchema = z.strictObject({
  image: z
    .string({ error: "Must be a string." })
    .trim()
    .max(512, "Image must be at most 512 characters.")
    .optional()
    .transform((value) => value || undefined),
});

export type TestRegistryInput = z.input<typeof testRegistrySchema>;
