import { z } from "zod";

// Response shapes of the signing-key endpoints (no request bodies), for the API document.

export const publicJwkSchema = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string().describe("The public key, base64url."),
    kid: z.string().describe("Key ID: the JWK thumbprint (RFC 7638); license files name it in their protected header."),
    alg: z.literal("EdDSA"),
    use: z.literal("sig"),
  })
  .describe("An Ed25519 public key as a JWK.");

export const jwkSetSchema = z
  .object({ keys: z.array(publicJwkSchema) })
  .describe("JWK Set: the current key first, then retired keys still published until the licenses they signed expire.");

export const rotateSigningKeyResultSchema = z.object({ kid: z.string().describe("The new current key.") });
