import { component, defineOperation } from "@/lib/api/define-operation";
import { entitlementSchemaInputSchema, entitlementSchemaResponseSchema } from "@/lib/apps/schemas";
import { jwkSetSchema, rotateSigningKeyResultSchema } from "@/lib/signing-keys/schemas";

// Licenses the vendor's software can check: the team's signing keys, a
// customer's signed license file and an app's entitlement schema.

component("JwkSet", jwkSetSchema);
component("EntitlementSchema", entitlementSchemaResponseSchema);
component("SetEntitlementSchema", entitlementSchemaInputSchema);

export const licensingOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/apps/{id}/entitlement-schema",
    summary: "The app's entitlement schema, and the customers whose stored entitlements no longer fit it",
    response: { description: "Schema", schema: entitlementSchemaResponseSchema },
    errors: [401, 404],
  }),
  defineOperation({
    method: "put",
    path: "/api/v1/apps/{id}/entitlement-schema",
    summary: "Replace the app's entitlement schema (fields: name, type string|number|boolean|date, default, required)",
    description:
      "Customers' entitlements are then checked against it on create and update (400 with an issue per field, path entitlements.<name>). " +
      "Stored values that no longer fit are kept and listed in `nonconforming`; an unchanged value is never refused. " +
      "Dates are YYYY-MM-DD. An empty list accepts any entitlements.",
    body: entitlementSchemaInputSchema,
    response: { description: "Saved", schema: entitlementSchemaResponseSchema },
    errors: [400, 401, 403, 404],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/customers/{id}/license-file",
    summary: "The customer's license file: a compact JWS (EdDSA) signed now with the team's current key",
    description:
      "Claims: iss `pullgate`, teamId, licenseId, customer {id, name, customId, type}, appSlug, expiresAt (null: never), registryAccess, " +
      "imagePatterns, entitlements, archived, iat, and exp when the license expires; the protected header names the key (kid). " +
      "Verify with the keys at /.well-known/pullgate/{teamId}/jwks.json on the portal or the proxy host.",
    response: { description: "The signed license (Content-Disposition: attachment)", contentType: "application/jwt" },
    errors: [401, 404],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/signing-keys",
    summary: "The team's license-signing public keys as a JWK Set (the first key is created on first use)",
    description: "The same set is published unauthenticated at /.well-known/pullgate/{teamId}/jwks.json on the portal and on the proxy host.",
    response: { description: "JWK Set", schema: jwkSetSchema },
    errors: [401],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/signing-keys/rotate",
    summary: "Rotate the signing key: new license files are signed with a new key",
    description: "The old public key stays published until the last of the team's licenses expires (forever while one never expires).",
    response: { description: "The new key's ID", schema: rotateSigningKeyResultSchema },
    errors: [401, 403],
  }),
];
