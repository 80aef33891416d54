import net from "node:net";

export type RawResponse = { status: number; headers: Record<string, string>; body: string; bodyBytesSent: number };

/**
 * Sends one HTTP/1.1 request over a plain socket with a body of `bodyBytes`
 * bytes, chunked (no Content-Length) unless `declareLength`, written with
 * backpressure. Stops writing as soon as the server answers (as curl does), so
 * a server that refuses early is seen refusing rather than as a reset.
 */
export function sendLargeBody(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; bodyBytes: number; declareLength?: boolean },
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, "a");
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let answered: RawResponse | null = null;
    let sent = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (answered) resolve({ ...answered, bodyBytesSent: sent });
      else reject(error ?? new Error(`connection closed without a response after ${sent} body bytes`));
    };
    socket.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const headEnd = received.indexOf("\r\n\r\n");
      if (headEnd < 0) return;
      const [statusLine, ...lines] = received.subarray(0, headEnd).toString("latin1").split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"] ?? NaN);
      const body = received.subarray(headEnd + 4);
      if (Number.isFinite(length) && body.length < length) return;
      answered = { status: Number(statusLine!.split(" ")[1]), headers, body: body.toString("utf8"), bodyBytesSent: sent };
      finish();
    });
    socket.on("error", (error) => finish(error));
    socket.on("close", () => finish());
    socket.on("connect", async () => {
      const head = [
        `${options.method ?? "POST"} ${options.path} HTTP/1.1`,
        `Host: ${hostname}:${port}`,
        options.declareLength ? `Content-Length: ${options.bodyBytes}` : "Transfer-Encoding: chunked",
        ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
        "",
        "",
      ].join("\r\n");
      socket.write(head);
      while (sent < options.bodyBytes && !answered && !settled) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.bodyBytes - sent));
        const framed = options.declareLength ? piece : Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]);
        sent += piece.length;
        if (!socket.write(framed)) await new Promise((r) => socket.once("drain", r).once("close", r));
      }
      if (!options.declareLength && !answered && !settled) socket.write("0\r\n\r\n");
    });
  });
}
