import pino from "pino";

// Logger for the REST API. Authorization headers and anything secret-looking
// are redacted in case an error object carries them.
export const apiLog = pino({
  name: "api",
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === "test" ? "silent" : "info"),
  redact: {
    paths: ["authorization", "*.authorization", "headers.authorization", "token", "*.token", "password", "*.password", "secret", "*.secret"],
    censor: "[redacted]",
  },
});
