import pino from "pino";

// Operational log of registry connection tests (who linked what, how it went).
// Only hosts, statuses and sentences are logged; credentials never reach it.
export const registriesLog = pino({
  name: "registries",
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === "test" ? "silent" : "info"),
  redact: { paths: ["password", "secret", "*.password", "*.secret", "authorization"], censor: "[redacted]" },
});
