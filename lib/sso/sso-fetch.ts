import { Agent, fetch as undiciFetch } from "undici";
import { createOutboundConnector } from "@/lib/outbound/outbound-connector";

// The issuer URL is tenant input: every request to an identity provider
// (discovery, keys, token exchange) goes through the outbound policy
// (lib/outbound), bounded in time, and never follows redirects on its own.
const agent = new Agent({ connect: createOutboundConnector({ timeout: 10_000 }), headersTimeout: 10_000, bodyTimeout: 10_000 });

/** Answers bigger than this are refused: discovery documents, key sets and token answers are a few KiB. */
const MAX_RESPONSE_BYTES = 256 * 1024;

export async function ssoFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const response = await undiciFetch(url, {
    ...(init as object),
    redirect: "manual",
    dispatcher: agent,
    signal: init.signal ?? AbortSignal.timeout(15_000),
  } as Parameters<typeof undiciFetch>[1]);
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > MAX_RESPONSE_BYTES) throw new Error("the identity provider's answer is too large");
  const body = new Uint8Array(await readBounded(response));
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers as unknown as Headers });
}

async function readBounded(response: Awaited<ReturnType<typeof undiciFetch>>): Promise<ArrayBuffer> {
  if (!response.body) return new ArrayBuffer(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > MAX_RESPONSE_BYTES) throw new Error("the identity provider's answer is too large");
    chunks.push(chunk);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out.buffer;
}
