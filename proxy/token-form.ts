import type { IncomingMessage } from "node:http";
import type { Credentials } from "./customer-auth";

// POST /v2/token: the OAuth2 form Docker's token spec describes and that
// containerd (and Docker with an identity token) send before trying GET:
//   grant_type=password&username=…&password=…&service=…&scope=…&client_id=…&access_type=offline
// The body is small; anything larger or of another type is refused before it
// is read, so a client cannot make the proxy buffer much.

export const MAX_TOKEN_FORM_BYTES = 16 * 1024;
const tooLarge = `token request body larger than ${MAX_TOKEN_FORM_BYTES / 1024} KiB`;

type TokenForm =
  | { ok: true; form: URLSearchParams }
  | { ok: false; status: number; message: string; /** the body was not read: close the connection after answering */ unread: boolean };

export type PasswordGrant =
  | { ok: true; creds: Extract<Credentials, { kind: "basic" }>; scopes: string[] }
  | { ok: false; status: number; message: string; oauthError: "invalid_request" | "unsupported_grant_type"; unread: boolean };

/**
 * The credentials and scopes of a password grant. `service`, `client_id` and
 * `access_type` are accepted and ignored (no refresh token is issued, so
 * `access_type=offline` changes nothing), as GET ignores `account`.
 */
export async function readPasswordGrant(req: IncomingMessage): Promise<PasswordGrant> {
  const read = await readTokenForm(req);
  if (!read.ok) return { ...read, oauthError: "invalid_request" };
  const { form } = read;
  const grantType = form.get("grant_type");
  if (grantType === "refresh_token") {
    // None is ever issued (the license ID is the long-lived secret), so none can be redeemed.
    return refused(400, "unsupported_grant_type", "refresh tokens are not issued here: log in with any username and your license ID as the password");
  }
  if (grantType !== "password") return refused(400, "unsupported_grant_type", `grant_type must be "password" (got "${(grantType ?? "").slice(0, 40)}")`);
  const password = form.get("password");
  if (!password) return refused(400, "invalid_request", "the password grant needs username and password (your license ID)");
  return { ok: true, creds: { kind: "basic", username: form.get("username") ?? "", password }, scopes: form.getAll("scope") };
}

function refused(status: number, oauthError: "invalid_request" | "unsupported_grant_type", message: string): PasswordGrant {
  return { ok: false, status, message, oauthError, unread: false };
}

async function readTokenForm(req: IncomingMessage): Promise<TokenForm> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    return { ok: false, status: 400, message: "POST /v2/token takes an application/x-www-form-urlencoded OAuth2 form", unread: true };
  }
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_TOKEN_FORM_BYTES) {
    return { ok: false, status: 413, message: tooLarge, unread: true };
  }
  // Events rather than `for await`: leaving an async iterator early destroys
  // the socket, and the client should still read why it was refused.
  return new Promise<TokenForm>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: TokenForm) => {
      req.off("data", onData).off("end", onEnd).off("error", onError);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_TOKEN_FORM_BYTES) return finish({ ok: false, status: 413, message: tooLarge, unread: true });
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, form: new URLSearchParams(Buffer.concat(chunks, size).toString("utf8")) });
    const onError = () => finish({ ok: false, status: 400, message: "the token request body could not be read", unread: true });
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}
