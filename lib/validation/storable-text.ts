import { ValidationError, type FieldIssue } from "@/lib/errors";

// Text Postgres cannot store: NUL (refused by text and jsonb columns alike,
// and the error used to surface as a 500 with a stack trace) and unpaired
// UTF-16 surrogates (no UTF-8 form: the driver silently stores U+FFFD, so
// what was saved differs from what was sent). Every input is checked here,
// before its schema, by parseOrThrow / safeParseInput and the API handler, so
// such input is a 400 naming the field wherever it arrives.

export const UNSTORABLE_TEXT_MESSAGE = "Contains a character that cannot be stored (a NUL byte or an unpaired surrogate).";

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * The path of the first string (value or object key) in `value` that Postgres
 * cannot store, or null. Walks without recursion: a body may nest deeply.
 */
export function findUnstorableText(value: unknown): (string | number)[] | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === "string") {
      if (!isStorableText(current)) return path;
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push({ value: item, path: [...path, index] }));
    } else if (current !== null && typeof current === "object") {
      for (const [key, item] of Object.entries(current)) {
        if (!isStorableText(key)) return [...path, key];
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return null;
}

export function hasUnstorableText(value: unknown): boolean {
  return findUnstorableText(value) !== null;
}

/** The field issue for `value`, path written the way formatZodIssues writes it ("(root)" for the value itself). */
export function unstorableTextIssue(value: unknown, prefix?: string): FieldIssue | null {
  const path = findUnstorableText(value);
  if (!path) return null;
  const joined = [prefix, ...path.map(String)].filter(Boolean).join(".");
  return { path: joined || "(root)", message: UNSTORABLE_TEXT_MESSAGE };
}

/** Throws a 400 naming the field when `value` holds text Postgres cannot store. */
export function assertStorableText(value: unknown, prefix?: string): void {
  const issue = unstorableTextIssue(value, prefix);
  if (issue) throw new ValidationError(`Invalid request. ${issue.path === "(root)" ? "" : `${issue.path}: `}${issue.message}`, [issue]);
}

type PostgresCause = { originalCode?: string; code?: string };

/**
 * Whether a database error is Postgres refusing text (22021 invalid byte
 * sequence, 22P05 untranslatable character): the last line behind the checks
 * above, for input that reached a query some other way.
 */
export function isUnstorableTextError(error: unknown): boolean {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: PostgresCause } } } | null)?.meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code ?? (error as { code?: string } | null)?.code;
  return code === "22021" || code === "22P05";
}
