#!/usr/bin/env bash
# Makes sure the Postgres that tests use answers: DATABASE_URL's host and port,
# else 127.0.0.1:5432. When it is local and down, starts the Debian cluster.
# Needs only bash and node (it runs before `npm ci`). Exit 1 if unreachable.
set -euo pipefail

read -r pg_host pg_port < <(node -e '
  const u = new URL(process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres");
  console.log((u.hostname || "127.0.0.1").replace(/^\[|\]$/g, ""), u.port || "5432");
')

postgres_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$pg_host" -p "$pg_port" -t 3
  else
    node -e '
      const s = require("node:net").connect(Number(process.argv[2]), process.argv[1]);
      s.setTimeout(3000, () => process.exit(1));
      s.on("connect", () => process.exit(0)).on("error", () => process.exit(1));
    ' "$pg_host" "$pg_port"
  fi
}

if postgres_answers; then
  echo "postgres: reachable at $pg_host:$pg_port"
  exit 0
fi

case "$pg_host" in
  127.0.0.1 | localhost | ::1) local_host=1 ;;
  *) local_host=0 ;;
esac

if [[ $local_host == 1 ]] && command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
  # The newest installed major version, e.g. 15.
  pg_version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)
  echo "postgres: not answering at $pg_host:$pg_port, starting cluster $pg_version/main"
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start || echo "postgres: pg_ctlcluster failed" >&2
  for _ in $(seq 1 30); do
    if postgres_answers; then
      echo "postgres: reachable at $pg_host:$pg_port"
      exit 0
    fi
    sleep 1
  done
fi

echo "postgres: nothing answers at $pg_host:$pg_port. Start PostgreSQL or set DATABASE_URL to a server the tests may create databases on." >&2
exit 1
