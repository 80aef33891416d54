import { dictionary } from "@zxcvbn-ts/language-common";
import { ValidationError } from "@/lib/errors";

// New passwords must not be common: checked on the server against the ~49,000
// most common leaked passwords that zxcvbn-ts maintains (shipped inside the
// package, so it works offline). Kept out of the shared form schemas so the
// list never lands in a browser bundle; the forms check the length as you type.

export const COMMON_PASSWORD_MESSAGE = "This password is on lists of common passwords that attackers try first: choose another.";

let common: Set<string> | undefined;

export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}

/** A 400 on `field` for a common password. */
export function assertPasswordNotCommon(password: string, field = "password"): void {
  if (isCommonPassword(password)) throw new ValidationError(COMMON_PASSWORD_MESSAGE, [{ path: field, message: COMMON_PASSWORD_MESSAGE }]);
}
