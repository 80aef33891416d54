import { hash, verify } from "@node-rs/argon2";

// argon2id is the library's default algorithm; the default cost (19 MiB,
// 2 passes, 1 lane) is OWASP's recommended minimum and keeps a sign-in under
// ~50 ms on a small machine. Parameters are encoded in the hash string, so
// raising them later still verifies old hashes.

export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** False (never an exception) for a wrong password or an unparseable hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
