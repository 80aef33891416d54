import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { z } from "zod";
import { defaultProxyHostName } from "@/lib/domains/host-name";

export const MAX_HOSTNAME_LENGTH = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type HostnameCheck = { ok: true; hostname: string } | { ok: false; message: string };

/**
 * A custom domain must be one real DNS name: lower-cased, IDN converted to
 * punycode, no IP address, no wildcard, no scheme/port/path, and not the
 * default proxy host itself.
 */
export function checkHostname(raw: string): HostnameCheck {
  const input = raw.trim().replace(/\.$/, "");
  if (!input) return { ok: false, message: "Enter a host name such as registry.acme.com." };
  if (input.includes("*")) return { ok: false, message: "Wildcards are not supported: enter one host name such as registry.acme.com." };
  if (/[/:@\s]/.test(input.replace(/^\[|\]$/g, "")) && !isIP(input.replace(/^\[|\]$/g, ""))) {
    return { ok: false, message: "Enter the host name only, without scheme, port, path or spaces." };
  }
  if (isIP(input) || isIP(input.replace(/^\[|\]$/g, ""))) {
    return { ok: false, message: "IP addresses cannot be verified: enter a DNS name such as registry.acme.com." };
  }
  // Labels longer than 63 characters make domainToASCII fail, so check before converting.
  if (input.split(".").some((label) => label.length > 63)) {
    return { ok: false, message: "Each part of a host name (between dots) must be at most 63 characters." };
  }
  const hostname = domainToASCII(input).toLowerCase().replace(/\.$/, "");
  if (!hostname) return { ok: false, message: "This is not a valid DNS name." };
  if (hostname.length > MAX_HOSTNAME_LENGTH) return { ok: false, message: `A host name is at most ${MAX_HOSTNAME_LENGTH} characters.` };
  const labels = hostname.split(".");
  if (labels.length < 2) return { ok: false, message: "Enter a fully qualified name such as registry.acme.com." };
  for (const label of labels) {
    if (label.length > 63) return { ok: false, message: "Each part of a host name (between dots) must be at most 63 characters." };
    if (!LABEL.test(label)) {
      return { ok: false, message: "This is not a valid DNS name: use letters, digits and hyphens between dots, not starting or ending with a hyphen." };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return { ok: false, message: "This is not a valid DNS name: the last part cannot be numeric." };
  if (hostname === defaultProxyHostName()) {
    return { ok: false, message: "This is the default proxy host: it is already served; add your own domain instead." };
  }
  return { ok: true, hostname };
}

export const hostnameSchema = z.string({ error: "Must be a string." }).transform((value, ctx) => {
  const checked = checkHostname(value);
  if (!checked.ok) {
    ctx.addIssue({ code: "custom", message: checked.message });
    return z.NEVER;
  }
  return checked.hostname;
});

export const createDomainSchema = z.strictObject({
  hostname: hostnameSchema,
  appId: z.string({ error: "Must be a string." }).trim().min(1, "Choose an app or leave it out.").max(100).nullish(),
});

export type CreateDomainInput = z.input<typeof createDomainSchema>;
