import type { RemoteConfig } from "@/cli/remote/config";

// The CLI's only way to the data: Pullgate's REST API (/api/v1), never the
// database, so it works from a laptop or a CI runner with a token.

/** An answer of the API that is not 2xx; `message` is the API's own. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined>;

const TIMEOUT_MS = 60_000;
const VERSION_HEADER = "pullgate-cli";

export class ApiClient {
  constructor(
    private readonly config: RemoteConfig,
    private readonly userAgent = VERSION_HEADER,
  ) {}

  url(path: string, query: Query = {}): string {
    const url = new URL(this.config.apiUrl + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    return url.toString();
  }

  private async send(method: string, path: string, options: { query?: Query; body?: unknown; accept?: string }): Promise<{ status: number; body: Buffer }> {
    const url = this.url(path, options.query);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.config.token}`,
          accept: options.accept ?? "application/json",
          "user-agent": this.userAgent,
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        redirect: "error",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`Cannot reach the Pullgate API at ${this.config.apiUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (!res.ok) throw toApiError(res.status, body.toString("utf8"));
    return { status: res.status, body };
  }

  async request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    const { status, body } = await this.send(method, path, options);
    const text = body.toString("utf8");
    if (status === 204 || text === "") return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`The API at ${this.config.apiUrl} answered ${status} with something that is not JSON: is PULLGATE_API_URL the portal's address?`);
    }
  }

  /** A body as bytes (a file the API serves). */
  async raw(path: string, query?: Query): Promise<Buffer> {
    return (await this.send("GET", path, { query, accept: "*/*" })).body;
  }

  get<T>(path: string, query?: Query) {
    return this.request<T>("GET", path, { query });
  }

  /**
   * Follows `nextCursor` until `limit` items (all when undefined) were read;
   * asks for at most 200 per page, the API's bound.
   */
  async list<T>(path: string, key: string, query: Query = {}, limit?: number): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    for (;;) {
      const pageSize = Math.min(200, limit === undefined ? 200 : limit - items.length);
      const page = await this.get<Record<string, unknown>>(path, { ...query, limit: pageSize, cursor });
      items.push(...((page[key] as T[] | undefined) ?? []));
      const next = page.nextCursor;
      if (typeof next !== "string" || !next || (limit !== undefined && items.length >= limit)) break;
      cursor = next;
    }
    return limit === undefined ? items : items.slice(0, limit);
  }
}

function toApiError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } };
    if (body.error?.message) return new ApiError(status, body.error.code ?? "error", body.error.message, body.error.issues ?? []);
  } catch {
    // not the API's JSON error: say what came back
  }
  const hint = status === 404 ? " (is PULLGATE_API_URL the portal's address?)" : "";
  return new ApiError(status, "http_error", `The API answered HTTP ${status}${hint}.`);
}
