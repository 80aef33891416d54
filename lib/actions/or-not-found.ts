import { notFound } from "next/navigation";
import { NotFoundError } from "@/lib/errors";

/** For pages: another team's (or a missing) row renders the 404 page, never its data. */
export async function orNotFound<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
}
