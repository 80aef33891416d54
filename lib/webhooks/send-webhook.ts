import { Agent, request } from "undici";
import { createOutboundConnector } from "@/lib/outbound/outbound-connector";
import { OutboundRefusedError } from "@/lib/outbound/outbound-policy";
import type { AttemptOutcome } from "@/lib/webhooks/delivery-queue";
import { webhookHeaders } from "@/lib/webhooks/webhook-signature";

// One delivery attempt: POST the signed body, through the outbound policy
// (the socket is checked on the resolved address), with time limits, no
// redirects, and at most a few KiB of the answer read: a receiver cannot
// hold a worker or fill its memory.

const CONNECT_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 4096;

let agent: Agent | undefined;

function webhookAgent(): Agent {
  agent ??= new Agent({
    connections: 16,
    keepAliveTimeout: 10_000,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
    connect: createOutboundConnector({ timeout: CONNECT_TIMEOUT_MS }),
  });
  return agent;
}

export async function closeWebhookAgent(): Promise<void> {
  const a = agent;
  agent = undefined;
  await a?.close();
}

export async function sendWebhook(url: string, secret: string, eventId: string, body: string, timeoutMs = 15_000): Promise<AttemptOutcome> {
  try {
    const response = await request(url, {
      method: "POST",
      dispatcher: webhookAgent(),
      headers: { ...webhookHeaders(secret, eventId, body), "user-agent": "Pullgate-Webhooks/1" },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await readBounded(response.body);
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status };
    return { ok: false, status, error: `receiver answered HTTP ${status}` };
  } catch (err) {
    return { ok: false, status: null, error: describe(err) };
  }
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<void> {
  let read = 0;
  for await (const chunk of body) {
    read += chunk.length;
    if (read > MAX_RESPONSE_BYTES) {
      body.destroy();
      return;
    }
  }
}

/** A short cause for the delivery log: never a stack, never the secret. */
function describe(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  if (err instanceof OutboundRefusedError || cause instanceof OutboundRefusedError) {
    return ((cause instanceof OutboundRefusedError ? cause : err) as OutboundRefusedError).message.replace(/^registry address/, "webhook address");
  }
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return "timed out";
  if (e?.code) return `could not deliver (${e.code})`;
  return "could not deliver";
}
