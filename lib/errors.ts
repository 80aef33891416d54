// Domain errors shared by server actions, API routes and the CLI. Each maps to
// one HTTP status and a stable machine-readable code; messages are written
// for the person reading them and never contain secrets.

export type FieldIssue = { path: string; message: string };

export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(400, "invalid_request", message);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = "Authentication required: send Authorization: Bearer <api token>.") {
    super(401, "unauthenticated", message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = "You do not have permission to do this.") {
    super(403, "forbidden", message);
  }
}

export class NotFoundError extends DomainError {
  constructor(what = "Resource") {
    super(404, "not_found", `${what} not found.`);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super(409, "conflict", message);
  }
}

export class ConnectionFailedError extends DomainError {
  constructor(message: string) {
    super(422, "connection_failed", message);
  }
}

/**
 * A change that would send a stored secret somewhere it was not saved for
 * (another endpoint or username): the secret must be given again. 400 with
 * code secret_required and an issue on the password field, so forms show it there.
 */
export class SecretRequiredError extends ValidationError {
  override readonly code = "secret_required";
}
