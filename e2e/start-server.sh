#!/usr/bin/env bash
# Starts Pullgate for the e2e suite the way users start it (`pullgate start`:
# builds when no build exists, embedded database by default), with a fresh
# temporary data directory that is removed when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."

# playwright.config.ts picks the directory so specs can run the CLI against it.
data_dir="${E2E_DATA_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pullgate-e2e-XXXXXX")}"
mkdir -p "$data_dir"
export PULLGATE_DATA_DIR="$data_dir"
export PORT="${E2E_PORT:-3100}"
export PROXY_PORT="${E2E_PROXY_PORT:-5150}"
export PROXY_PUBLIC_HOST="${E2E_PROXY_PUBLIC_HOST:-localhost:$PROXY_PORT}"
export NEXT_TELEMETRY_DISABLED=1
# Custom-domain verification asks the DNS server e2e/domains.spec.ts starts on this port.
export PULLGATE_DNS_SERVERS="${E2E_DNS_SERVERS:-127.0.0.1:${E2E_DNS_PORT:-5391}}"
# The registries the specs start run on loopback: allowed explicitly (the default refuses them).
export PULLGATE_UPSTREAM_ALLOW_CIDRS="${E2E_UPSTREAM_ALLOW_CIDRS:-127.0.0.0/8}"
# Mail goes to the SMTP peer the specs start on this port (tests/helpers/smtp-capture.ts).
export PULLGATE_SMTP_URL="${E2E_SMTP_URL:-smtp://127.0.0.1:${E2E_SMTP_PORT:-5393}}"
export PULLGATE_MAIL_FROM="Pullgate e2e <pullgate@e2e.test>"
export PULLGATE_PORTAL_URL="http://localhost:$PORT"
# The embedded database, as on a fresh install (the vitest Postgres is not ours).
unset DATABASE_URL

# A certificate for "localhost" that the portal and proxy trust: e2e/install-path.spec.ts
# serves a second registry with it on 127.0.0.1:443, reached by host name alone
# (`localhost`, no port: a valid image path component), as a vendor's own registry is.
tls_dir="$data_dir/e2e-tls"
if [ ! -f "$tls_dir/cert.pem" ]; then
  mkdir -p "$tls_dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$tls_dir/key.pem" -out "$tls_dir/cert.pem" -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
fi
export NODE_EXTRA_CA_CERTS="$tls_dir/cert.pem"

node bin/pullgate.mjs start &
server_pid=$!

cleanup() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -rf "$data_dir"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

wait "$server_pid"
