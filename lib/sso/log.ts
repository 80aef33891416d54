import pino from "pino";

// Why an SSO sign-in failed (the browser only hears that it failed): provider errors, never tokens or secrets.
export const ssoLog = pino({
  name: "sso",
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === "test" ? "silent" : "info"),
  redact: { paths: ["secret", "*.secret", "token", "*.token", "code", "*.code"], censor: "[redacted]" },
});
