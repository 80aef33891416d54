import { ValidationError } from "@/lib/errors";
import { OutboundRefusedError } from "@/lib/outbound/outbound-policy";
import { resolveAllowed } from "@/lib/outbound/resolve-allowed";

/**
 * Refuses, when an endpoint is saved, a URL whose host is (or resolves only
 * to) an address the outbound policy refuses, so the vendor hears it at once.
 * Deliveries are checked again when each socket opens (a name may re-resolve).
 */
export async function checkWebhookUrl(url: string): Promise<void> {
  const hostname = new URL(url).hostname;
  try {
    await resolveAllowed(hostname, { timeoutMs: 5_000 });
  } catch (err) {
    const message =
      err instanceof OutboundRefusedError
        ? err.message.replace(/^registry address/, "webhook address")
        : `could not resolve ${hostname.slice(0, 100)}`;
    throw new ValidationError(`Invalid request. url: ${message}`, [{ path: "url", message }]);
  }
}
