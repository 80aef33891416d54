import { unstable_rethrow } from "next/navigation";
import { DomainError, ValidationError } from "@/lib/errors";
import { isUnstorableTextError, UNSTORABLE_TEXT_MESSAGE } from "@/lib/validation/storable-text";

// What every portal server action returns: the value, or a message for the
// person using the form plus per-field messages keyed by the field's path
// ("name", "expiresAt", "imagePatterns.0", "entitlements.tier").

export type ActionError = { ok: false; status: number; code: string; message: string; fieldErrors: Record<string, string> };
export type ActionResult<T = undefined> = { ok: true; data: T } | ActionError;

/**
 * Runs a server action body and turns domain errors into an ActionResult.
 * Redirects and notFound() pass through; anything unexpected is logged and
 * reported without internals.
 */
export async function runAction<T>(body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (error) {
    unstable_rethrow(error);
    if (isUnstorableTextError(error)) error = new ValidationError(UNSTORABLE_TEXT_MESSAGE);
    if (error instanceof DomainError) {
      const fieldErrors: Record<string, string> = {};
      if (error instanceof ValidationError) {
        for (const issue of error.issues) fieldErrors[issue.path] ??= issue.message;
      }
      const message =
        error instanceof ValidationError && error.issues.length > 0 ? "Some fields need attention: see the messages below." : error.message;
      return { ok: false, status: error.status, code: error.code, message, fieldErrors };
    }
    console.error("server action failed", error);
    return { ok: false, status: 500, code: "internal", message: "Something went wrong on our side. Try again.", fieldErrors: {} };
  }
}

/** Ids from the browser are untrusted input too. */
export function requireId(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 100) {
    throw new ValidationError(`${what} id is missing or malformed.`, [{ path: "id", message: `${what} id is missing or malformed.` }]);
  }
  return value;
}
