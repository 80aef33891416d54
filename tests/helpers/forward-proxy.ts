import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

// A tiny HTTP forward proxy that stands in for DNS: clients (skopeo via
// HTTP_PROXY / HTTPS_PROXY) ask for any host name, and every request goes to
// the Pullgate proxy on loopback with the client's Host header and SNI
// intact. Plain requests are relayed to `httpPort`; CONNECT tunnels go to
// `tlsPort`. Lets a real client use a custom domain without /etc/hosts.

export type ForwardProxy = { url: string; requests: string[]; close(): Promise<void> };

export async function startForwardProxy(targets: { httpPort?: number; tlsPort?: number }): Promise<ForwardProxy> {
  const requests: string[] = [];
  const tunnels = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (!targets.httpPort) {
      res.writeHead(502).end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://invalid");
    const upstream = http.request(
      { host: "127.0.0.1", port: targets.httpPort, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    requests.push(`CONNECT ${req.url}`);
    if (!targets.tlsPort) {
      client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      return;
    }
    tunnels.add(client);
    client.once("close", () => tunnels.delete(client));
    const tunnel = net.connect(targets.tlsPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) tunnel.write(head);
      tunnel.pipe(client);
      client.pipe(tunnel);
    });
    tunnel.on("error", () => client.destroy());
    client.on("error", () => tunnel.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const socket of tunnels) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
