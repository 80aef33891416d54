import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import tls from "node:tls";
import type { RequestListener } from "node:http";
import type { Logger } from "./logger";

// Optional TLS termination in the proxy itself. The usual deployment puts the
// proxy behind a TLS-terminating load balancer instead (README "Custom
// domains and TLS"). The default certificate (PROXY_TLS_CERT/KEY) serves the
// default host and clients without SNI; `<hostname>.crt` + `<hostname>.key`
// in PROXY_TLS_CERT_DIR are picked by SNI for custom domains. Files are
// re-read when they change (checked at most every few seconds), so renewed
// certificates apply without a restart.

export type TlsFiles = { certFile: string; keyFile: string; certDir?: string };

const RECHECK_MS = 5_000;
const MAX_CACHED_NAMES = 1_000;
// SNI names that may become file names: DNS labels only, no path tricks.
const SNI_NAME = /^(?!.*\.\.)[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;

type Loaded = { context: tls.SecureContext; pem: { cert: Buffer; key: Buffer }; stamp: string; checkedAt: number };

function stampOf(files: string[]): string | null {
  try {
    return files.map((f) => `${fs.statSync(f).mtimeMs}:${fs.statSync(f).size}`).join("|");
  } catch {
    return null;
  }
}

function load(certFile: string, keyFile: string, now: number): Loaded {
  const stamp = stampOf([certFile, keyFile]) ?? "";
  const pem = { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
  return { context: tls.createSecureContext(pem), pem, stamp, checkedAt: now };
}

export class CertificateStore {
  private defaultCert: Loaded;
  private readonly byName = new Map<string, Loaded>();

  constructor(
    private readonly files: TlsFiles,
    private readonly logger: Logger,
  ) {
    // A missing or broken default certificate is a start-up error, not a silent fallback.
    this.defaultCert = load(files.certFile, files.keyFile, Date.now());
  }

  get defaultPem(): { cert: Buffer; key: Buffer } {
    return this.defaultCert.pem;
  }

  /** Re-reads the default certificate if its files changed; true when it did (the server then swaps its context). */
  refreshDefault(now = Date.now()): boolean {
    if (now - this.defaultCert.checkedAt < RECHECK_MS) return false;
    this.defaultCert.checkedAt = now;
    const stamp = stampOf([this.files.certFile, this.files.keyFile]);
    if (!stamp || stamp === this.defaultCert.stamp) return false;
    try {
      this.defaultCert = load(this.files.certFile, this.files.keyFile, now);
      this.logger.info({ certFile: this.files.certFile }, "default TLS certificate reloaded");
      return true;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "default TLS certificate changed but could not be loaded; keeping the previous one");
      return false;
    }
  }

  /** The context for an SNI name: its own certificate when the directory has one, else the default. */
  contextFor(servername: string, now = Date.now()): tls.SecureContext {
    const name = servername.toLowerCase().replace(/\.$/, "");
    const dir = this.files.certDir;
    if (!dir || !SNI_NAME.test(name)) return this.defaultCert.context;
    const cached = this.byName.get(name);
    if (cached && now - cached.checkedAt < RECHECK_MS) return cached.context;
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    const stamp = stampOf([certFile, keyFile]);
    if (!stamp) {
      this.byName.delete(name);
      return this.defaultCert.context;
    }
    if (cached && cached.stamp === stamp) {
      cached.checkedAt = now;
      return cached.context;
    }
    try {
      const loaded = load(certFile, keyFile, now);
      if (this.byName.size >= MAX_CACHED_NAMES) this.byName.clear();
      this.byName.set(name, loaded);
      return loaded.context;
    } catch (err) {
      this.logger.warn({ servername: name, err: (err as Error).message }, "per-domain TLS certificate could not be loaded; using the default");
      return this.defaultCert.context;
    }
  }
}

/** An HTTPS server with the default certificate, per-domain certificates by SNI, and reloads. */
export function createTlsServer(files: TlsFiles, logger: Logger, handler: RequestListener): https.Server {
  const store = new CertificateStore(files, logger);
  const server = https.createServer(
    {
      ...store.defaultPem,
      SNICallback: (servername, callback) => {
        try {
          callback(null, store.contextFor(servername));
        } catch (err) {
          callback(err as Error);
        }
      },
    },
    handler,
  );
  // Clients without SNI (an IP address as host) get the server's own context: keep it current too.
  const timer = setInterval(() => {
    if (store.refreshDefault()) server.setSecureContext(store.defaultPem);
  }, RECHECK_MS);
  timer.unref();
  server.once("close", () => clearInterval(timer));
  return server;
}
