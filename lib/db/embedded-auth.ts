import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

// SCRAM-SHA-256 (RFC 5802 / RFC 7677), the server side, as PostgreSQL does it
// for password authentication: the password never crosses the connection, and
// what the server keeps (stored key, server key) cannot log in by itself.
// PGlite and @electric-sql/pglite-socket accept any client, and pg-gateway
// would replace the whole connection handling of embedded-server.ts (its
// transaction gate and LISTEN fan-out), so the exchange is written here;
// `pg` (what Prisma's adapter uses) and libpq (psql) speak it.

export const SCRAM_MECHANISM = "SCRAM-SHA-256";
const ITERATIONS = 4096;

export type ScramSecret = { salt: Buffer; iterations: number; storedKey: Buffer; serverKey: Buffer };

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();

/**
 * What the server keeps for a password. Passwords here are generated ASCII,
 * for which SASLprep changes nothing.
 */
export function scramSecret(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): ScramSecret {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  return { salt, iterations, storedKey: sha256(hmac(salted, "Client Key")), serverKey: hmac(salted, "Server Key") };
}

export type ScramExchange = {
  /** server-first-message, sent in AuthenticationSASLContinue. */
  serverFirst: string;
  /** Checks client-final-message: the server-final-message to send when the proof holds, else null. */
  finish(clientFinal: string): string | null;
};

// printable ASCII except ","
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/**
 * Starts an exchange from the client-first-message; null when it is malformed
 * or requires channel binding (not offered: the connection has no TLS).
 */
export function startScram(secret: ScramSecret, clientFirst: string): ScramExchange | null {
  // gs2 header: "n,," (no channel binding) or "y,," (client could, server did not offer); no authzid.
  const header = /^([ny]),,/.exec(clientFirst);
  if (!header) return null;
  const gs2Header = header[0];
  const clientFirstBare = clientFirst.slice(gs2Header.length);
  const attributes = clientFirstBare.split(",");
  // The user name is the start-up message's; PostgreSQL clients send "n=" or "n=*" here.
  if (!attributes[0]?.startsWith("n=")) return null;
  const clientNonce = attributes[1]?.startsWith("r=") ? attributes[1].slice(2) : "";
  if (!NONCE.test(clientNonce)) return null;

  const nonce = clientNonce + randomBytes(18).toString("base64");
  const serverFirst = `r=${nonce},s=${secret.salt.toString("base64")},i=${secret.iterations}`;
  return {
    serverFirst,
    finish(clientFinal) {
      const proofAt = clientFinal.lastIndexOf(",p=");
      if (proofAt < 0) return null;
      const withoutProof = clientFinal.slice(0, proofAt);
      const [binding, nonceAttribute] = withoutProof.split(",");
      if (binding !== `c=${Buffer.from(gs2Header).toString("base64")}` || nonceAttribute !== `r=${nonce}`) return null;
      const proof = Buffer.from(clientFinal.slice(proofAt + 3), "base64");
      if (proof.length !== 32) return null;
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const signature = hmac(secret.storedKey, authMessage);
      const clientKey = Buffer.alloc(32);
      for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ signature[i]!;
      if (!timingSafeEqual(sha256(clientKey), secret.storedKey)) return null;
      return `v=${hmac(secret.serverKey, authMessage).toString("base64")}`;
    },
  };
}
