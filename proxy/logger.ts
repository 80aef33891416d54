import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

// JSON logs, one line per request. Request headers are never logged wholesale:
// Authorization carries license IDs and tokens. The redaction is a second fence
// in case someone later logs a request object.
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: "pullgate-proxy",
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      redact: {
        paths: ["req.headers.authorization", "headers.authorization", "authorization", "*.authorization", "req.headers.cookie", "headers.cookie"],
        censor: "[redacted]",
      },
    },
    options.destination,
  );
}

export const REQUEST_ID_HEADER = "X-Request-Id";
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is a sane token, else a fresh UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  const value = Array.isArray(given) ? given[0] : given;
  return value && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}
