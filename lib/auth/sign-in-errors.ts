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

/** The right password for an account with two-factor sign-in: no session yet, the challenge goes to the second step. */
export class SecondFactorRequired extends CredentialsSignin {
  code = "second_factor_required";
  constructor(readonly challenge: string) {
    super("A second factor is required.");
  }
}

export const INCORRECT_CODE_MESSAGE = "That code is not valid. Enter the current code from your authenticator app, or an unused recovery code.";
export const CHALLENGE_EXPIRED_MESSAGE = "This sign-in has expired or had too many wrong codes: sign in again with your password.";

export class IncorrectSecondFactor extends CredentialsSignin {
  code = "incorrect_code";
}

export class SignInChallengeExpired extends CredentialsSignin {
  code = "challenge_expired";
}

/** The message the sign-in form shows for an Auth.js sign-in error. */
export function signInErrorMessage(error: unknown): string {
  if (error instanceof TooManySignInAttempts) return throttledMessage(error.retryAfterMs);
  if (error instanceof IncorrectSecondFactor) return INCORRECT_CODE_MESSAGE;
  if (error instanceof SignInChallengeExpired) return CHALLENGE_EXPIRED_MESSAGE;
  if (error instanceof CredentialsSignin) return INCORRECT_CREDENTIALS_MESSAGE;
  return "Sign-in failed. Please try again.";
}
