// Imported from @auth/core (what next-auth re-exports) so plain Node tests can load it without Next.
import { CredentialsSignin } from "@auth/core/errors";
import { lockedMessage } from "@/lib/auth/throttle";

export const INCORRECT_CREDENTIALS_MESSAGE = "Incorrect email or password.";

/** Wrong email or password: the message never says which. */
export class IncorrectCredentials extends CredentialsSignin {
  code = "incorrect_credentials";
}

/** Too many recent failures for this email or IP; carries how long to wait. */
export class TooManySignInAttempts extends CredentialsSignin {
  code = "too_many_attempts";
  constructor(readonly retryAfterMinutes: number) {
    super(lockedMessage(retryAfterMinutes));
  }
}

/** The message the sign-in form shows for an Auth.js sign-in error. */
export function signInErrorMessage(error: unknown): string {
  if (error instanceof TooManySignInAttempts) return lockedMessage(error.retryAfterMinutes);
  if (error instanceof CredentialsSignin) return INCORRECT_CREDENTIALS_MESSAGE;
  return "Sign-in failed. Please try again.";
}
