import pino from "pino";

// Operational log of outgoing mail: recipient, subject and outcome. Message
// bodies carry one-time links (invitations, password resets), so a body only
// reaches this log with its links cut out (see deliver-to-dev-mailbox.ts).
export const mailLog = pino({
  name: "mail",
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === "test" ? "silent" : "info"),
  redact: { paths: ["password", "secret", "*.password", "*.secret", "smtpUrl", "url"], censor: "[redacted]" },
});
