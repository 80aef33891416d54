import { z } from "zod";
import { ValidationError, type FieldIssue } from "@/lib/errors";
import { findUnstorableText, UNSTORABLE_TEXT_MESSAGE } from "@/lib/validation/storable-text";

/**
 * Flattens zod issues into `{path, message}` pairs that forms and the API both
 * show. Unknown keys become one issue per key so the message names the field.
 */
export function formatZodIssues(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({ path: base ? `${base}.${key}` : key, message: "Unknown field." });
      }
      continue;
    }
    issues.push({ path: base || "(root)", message: issue.message });
  }
  return issues;
}

/** One sentence naming every offending field, e.g. `Invalid name: Required. Invalid email: ...`. */
export function describeFieldIssues(issues: FieldIssue[]): string {
  if (issues.length === 0) return "The request is invalid.";
  return issues.map((i) => (i.path === "(root)" ? i.message : `${i.path}: ${i.message}`)).join(" ");
}

export function zodToValidationError(error: z.ZodError): ValidationError {
  const issues = formatZodIssues(error);
  return new ValidationError(`Invalid request. ${describeFieldIssues(issues)}`, issues);
}

/**
 * schema.safeParse, after refusing text Postgres cannot store anywhere in the
 * input (lib/validation/storable-text.ts) with an issue on that field. Every
 * form, server action and API route parses through this or parseOrThrow.
 */
export function safeParseInput<S extends z.ZodType>(schema: S, input: unknown): z.ZodSafeParseResult<z.output<S>> {
  const path = findUnstorableText(input);
  if (path) {
    return { success: false, error: new z.ZodError([{ code: "custom", path: path.map(String), message: UNSTORABLE_TEXT_MESSAGE, input: undefined }]) as z.ZodError<z.output<S>> };
  }
  return schema.safeParse(input) as z.ZodSafeParseResult<z.output<S>>;
}

/** Parses with the schema or throws a ValidationError naming the fields. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = safeParseInput(schema, input);
  if (!result.success) throw zodToValidationError(result.error);
  return result.data;
}
