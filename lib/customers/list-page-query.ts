import { z } from "zod";
import { listCustomersQuerySchema } from "@/lib/customers/schemas";

/**
 * The portal's customer list query (page numbers instead of cursors): the
 * API's query schema, so both accept the same filters, search and sort.
 */
export const listCustomersPageQuerySchema = listCustomersQuerySchema.omit({ cursor: true }).extend({
  page: z.coerce.number({ error: "Must be a number." }).int("Must be a whole number.").min(1, "At least 1.").max(100_000, "Too far.").optional(),
});

export type ListCustomersPageQuery = z.output<typeof listCustomersPageQuerySchema>;
