import type { PullContext } from "./registry-api";

/** Aborts the upstream request when the customer goes away. */
export function abortOnClientClose(ctx: PullContext): AbortSignal {
  const controller = new AbortController();
  ctx.res.once("close", () => {
    if (!ctx.res.writableFinished) controller.abort();
  });
  return controller.signal;
}

export function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads a small upstream body (manifests, tag lists) with a hard size limit. */
export async function readLimited(body: AsyncIterable<Buffer | Uint8Array>, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, size);
}

/** Awaits an upstream request, observing how long its response headers took. */
export async function timedUpstream<T>(ctx: PullContext, action: string, request: Promise<T>): Promise<T> {
  const end = ctx.metrics.upstreamLatency.startTimer({ action });
  try {
    return await request;
  } finally {
    end();
  }
}
