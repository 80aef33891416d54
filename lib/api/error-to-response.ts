import { z } from "zod";
import { DomainError, ValidationError } from "@/lib/errors";
import { zodToValidationError } from "@/lib/validation/format-zod-issues";
import { isUnstorableTextError, UNSTORABLE_TEXT_MESSAGE } from "@/lib/validation/storable-text";
import { apiLog } from "@/lib/api/log";
import { errorResponse } from "@/lib/api/responses";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "@/lib/db/unavailable";

/**
 * Maps anything thrown by a handler to the API's JSON error shape. A database
 * that cannot be reached is a 503 `unavailable` with Retry-After (the request
 * may be retried once it is back; nothing was changed). Unknown errors become
 * a bare 500: their message and stack are logged, never sent.
 */
export function errorToResponse(error: unknown, where: { method: string; path: string }): Response {
  if (error instanceof z.ZodError) error = zodToValidationError(error);
  // Input that reached Postgres past the checks in parseOrThrow: a 400 like theirs, not a 500 with a stack trace.
  if (isUnstorableTextError(error)) error = new ValidationError(`Invalid request. ${UNSTORABLE_TEXT_MESSAGE}`);
  if (error instanceof ValidationError) {
    return errorResponse(400, error.code, error.message, error.issues);
  }
  if (error instanceof DomainError) {
    return errorResponse(error.status, error.code, error.message);
  }
  if (isDatabaseUnavailable(error)) {
    apiLog.warn({ err: error instanceof Error ? error.message : String(error), method: where.method, path: where.path }, "database unavailable");
    return errorResponse(503, "unavailable", "The database is temporarily unavailable. Try again in a few seconds.", undefined, {
      "retry-after": String(DATABASE_RETRY_AFTER_SECONDS),
    });
  }
  const err = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
  apiLog.error({ err, method: where.method, path: where.path }, "unhandled error in API handler");
  return errorResponse(500, "internal_error", "Internal error");
}
