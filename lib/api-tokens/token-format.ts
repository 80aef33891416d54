import { createHash, randomInt } from "node:crypto";

// API tokens look like `pgt_<8-char id>_<40-char secret>` (base62). The
// readable `pgt_<id>` prefix is stored to show in lists and find leaked
// tokens by sight; only the sha256 of the whole token is stored, never the
// token itself. 40 base62 characters carry ~238 bits of randomness, so a fast
// unsalted hash is enough (no password-style stretching needed).

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ID_LENGTH = 8;
const SECRET_LENGTH = 40;
const TOKEN_PATTERN = new RegExp(`^pgt_([0-9A-Za-z]{${ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})$`);

function randomBase62(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}

export function generateApiToken(): { token: string; prefix: string; tokenHash: string } {
  const prefix = `pgt_${randomBase62(ID_LENGTH)}`;
  const token = `${prefix}_${randomBase62(SECRET_LENGTH)}`;
  return { token, prefix, tokenHash: hashApiToken(token) };
}

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The displayable prefix of a well-formed token, or null when malformed. */
export function parseApiToken(raw: string): { prefix: string } | null {
  const match = TOKEN_PATTERN.exec(raw.trim());
  return match ? { prefix: `pgt_${match[1]}` } : null;
}
