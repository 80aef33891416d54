// Imported from @auth/core (what next-auth re-exports) so plain Node tests can load it without Next.
import { CredentialsSignin } from "@auth/core/errors";
import { throttledMessage } from "@/lib/auth/throttle";

export const INCORRECT_CREDENTIALS_MESSAGE = "Incorrect email or password.";

/** Wrong email or password: the message never says which. */
export class IncorrectCredentials extends CredentialsSignin {
  code = "incorrect_credentials";
}

/** Too many recent failures from this address (for this account); carries how long to wait. */
export class TooManySignInAttempts extends CredentialsSignin {
  code = "too_many_attempts";
  constructor(readonly retryAfterMs: number) {
    super(throttledMessage(retryAfterMs));
  }
}

/** The message the sign-in form shows for an Auth.js sign-in error. */
export function signInErrorMessage(error: unknown): string {
  if (error instanceof TooManySignInAttempts) return throttledMessage(error.retryAfterMs);
  if (error instanceof CredentialsSignin) return INCORRECT_CREDENTIALS_MESSAGE;
  return "Sign-in failed. Please try again.";
}
