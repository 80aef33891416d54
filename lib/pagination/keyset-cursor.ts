import { ValidationError } from "@/lib/errors";

/**
 * Opaque cursors for keyset pagination: the sort value(s) of the last row plus
 * its id, base64url-encoded JSON. Clients must treat them as opaque.
 */
export function encodeCursor(values: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, length: number): (string | number | null)[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === length && parsed.every((v) => v === null || typeof v === "string" || typeof v === "number")) {
      return parsed as (string | number | null)[];
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError("Invalid request. cursor: Not a cursor returned by this API.", [{ path: "cursor", message: "Not a cursor returned by this API." }]);
}
