import { config } from "@/lib/config";
import { createUpstreamClient } from "@/lib/upstream/client";
import type { UpstreamClientOptions, UpstreamCredential } from "@/lib/upstream/client";
import { UpstreamError } from "@/lib/upstream/errors";
import { parseImageReference } from "@/lib/upstream/image-ref";
import { registriesLog } from "@/lib/registries/log";

// The "Test connection" handshake: GET /v2/ (following the challenge with the
// credentials, Basic or Bearer) and, when an image is named, a HEAD of its
// manifest. The outcome is one sentence a vendor can act on; it never contains
// the secret.
//
// A tenant types the host, so the sentence must not turn the test into a port
// scanner: a refused, reset, silent or unreachable peer all read the same
// (UNREACHABLE_MESSAGE) and the cause goes to the server log only. A peer that
// answers HTTP but not the registry API still says so (vendors need that one),
// and addresses the outbound policy refuses say how to allow them.

export type ConnectionStatus =
  | "connected"
  | "unauthorized"
  | "unreachable"
  | "address_not_allowed"
  | "tls"
  | "not_a_registry"
  | "not_found"
  | "forbidden"
  | "upstream_error"
  | "invalid_image"
  | "secret_unreadable";

export type ConnectionTestResult = { ok: boolean; status: ConnectionStatus; message: string };

export const CONNECTED_MESSAGE = "Connected.";
export const SECRET_UNREADABLE_MESSAGE =
  "Stored password unreadable: it was encrypted with a key that is no longer configured; enter the password again.";
export const WRONG_CREDENTIALS_MESSAGE = "Wrong credentials: the registry rejected the username or password.";
export const UNREACHABLE_MESSAGE = "Host unreachable: could not reach a registry at this address.";

export type TestConnectionOptions = UpstreamClientOptions & {
  image?: string;
  signal?: AbortSignal;
  /** Default PULLGATE_CONNECTION_TEST_TIMEOUT (15 s). */
  timeoutMs?: number;
};

type Outcome = ConnectionTestResult & { detail?: string };

export async function testRegistryConnection(
  credential: UpstreamCredential,
  options: TestConnectionOptions = {},
): Promise<ConnectionTestResult> {
  const started = Date.now();
  const { detail, ...raw } = await runHandshake(credential, options);
  const result = { ...raw, message: redact(raw.message, credential.secret) };
  registriesLog.info(
    {
      provider: credential.provider,
      endpoint: credential.endpoint,
      image: options.image,
      status: result.status,
      // What the vendor is not told (which of refused/reset/timeout), for operators.
      detail: detail === undefined ? undefined : redact(detail, credential.secret),
      durationMs: Date.now() - started,
    },
    result.message,
  );
  return result;
}

async function runHandshake(credential: UpstreamCredential, options: TestConnectionOptions): Promise<Outcome> {
  const client = createUpstreamClient(credential, { ecrEndpoint: options.ecrEndpoint });
  const timeoutMs = options.timeoutMs ?? config.connectionTestTimeoutMs;
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
    : AbortSignal.timeout(timeoutMs);

  let image: ReturnType<typeof parseImageReference> = null;
  if (options.image) {
    image = parseImageReference(options.image, credential.endpoint);
    if (!image) {
      return {
        ok: false,
        status: "invalid_image",
        message: `Invalid image: "${options.image.slice(0, 200)}" is not repository[:tag] or repository@digest.`,
      };
    }
  }

  try {
    await client.pingV2({ signal });
  } catch (err) {
    return failure(err, credential, client.host, timeoutMs);
  }
  if (!image) return { ok: true, status: "connected", message: CONNECTED_MESSAGE };

  const imageName = `${image.repository}${image.reference.includes(":") ? "@" : ":"}${image.reference}`;
  try {
    await client.headManifest(image.repository, image.reference, undefined, { signal });
    return { ok: true, status: "connected", message: CONNECTED_MESSAGE };
  } catch (err) {
    if (err instanceof UpstreamError) {
      if (err.kind === "not_found") {
        return { ok: false, status: "not_found", message: `Image not found: ${imageName} does not exist in ${client.host}.` };
      }
      // The credentials worked for /v2/, so a refusal now is about this repository.
      if (err.kind === "forbidden" || err.kind === "unauthorized") {
        return { ok: false, status: "forbidden", message: `These credentials lack pull access to ${image.repository}.` };
      }
    }
    return failure(err, credential, client.host, timeoutMs);
  }
}

function failure(err: unknown, credential: UpstreamCredential, host: string, timeoutMs: number): Outcome {
  if (!(err instanceof UpstreamError)) {
    const name = err instanceof Error ? err.name : "error";
    if (name === "TimeoutError" || name === "AbortError") return unreachable(`${host}: no answer within ${timeoutMs} ms`);
    return { ok: false, status: "upstream_error", message: `Registry error: talking to ${host} failed (${name}).` };
  }
  switch (err.kind) {
    case "unauthorized":
      return {
        ok: false,
        status: "unauthorized",
        message:
          credential.provider === "ecr"
            ? "Wrong credentials: AWS rejected the access key ID or secret access key."
            : WRONG_CREDENTIALS_MESSAGE,
      };
    case "forbidden":
      return { ok: false, status: "forbidden", message: `These credentials lack pull access to ${host}.` };
    case "refused":
      return { ok: false, status: "address_not_allowed", message: `Address not allowed: ${err.message}.` };
    case "dns":
      return { ok: false, status: "unreachable", message: `Host unreachable: ${err.message}` };
    case "unreachable":
    case "timeout":
      return unreachable(err.message);
    case "tls":
      return { ok: false, status: "tls", message: `TLS error: ${err.message}` };
    case "not_a_registry":
      return { ok: false, status: "not_a_registry", message: `Not a container registry: ${err.message}` };
    case "not_found":
      return { ok: false, status: "not_found", message: `Image not found: ${err.message}` };
    case "upstream_5xx":
    case "bad_response":
      return { ok: false, status: "upstream_error", message: `Registry error: ${err.message}` };
  }
}

function unreachable(detail: string): Outcome {
  return { ok: false, status: "unreachable", message: UNREACHABLE_MESSAGE, detail };
}

/** Belt and braces: no message leaves here with the secret in it. */
function redact(message: string, secret: string): string {
  if (!secret || secret.length < 4) return message;
  return message.split(secret).join("[redacted]");
}
