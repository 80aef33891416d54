import { z } from "zod";

/**
 * Body schema for routes whose domain function validates the input itself
 * (with the same strict schema the forms use): only "a JSON object" is checked here.
 */
export const jsonObjectBody = z.record(z.string(), z.unknown(), { error: "The request body must be a JSON object." });
