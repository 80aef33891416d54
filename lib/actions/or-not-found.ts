import { notFound } from "next/navigation";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { isUnstorableTextError } from "@/lib/validation/storable-text";

/**
 * For pages: another team's (or a missing) row renders the 404 page, never its
 * data; so does an id no row can have (malformed, or text Postgres cannot store).
 */
export async function orNotFound<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof ValidationError || isUnstorableTextError(error)) notFound();
    throw error;
  }
}
