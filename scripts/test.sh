#!/usr/bin/env bash
# `npm test`: everything CI checks, in order, with one summary at the end.
#   1. Debian packages the tests drive (installed when running as root)
#   2. a reachable Postgres (DATABASE_URL, else 127.0.0.1:5432)
#   3. typecheck, lint, production build, Vitest, Playwright e2e
# Every step runs even after an earlier one failed, so one run shows all
# problems; the last line is `tests: N passed, M failed`.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
export NEXT_TELEMETRY_DISABLED=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

results_dir=$(mktemp -d)
trap 'rm -rf "$results_dir"' EXIT

section() { printf '\n==== %s ====\n' "$*"; }

# --- 1. Debian packages ------------------------------------------------------
install_line="apt-get install -y docker-registry skopeo chromium apache2-utils"

missing_packages() {
  local absent=()
  command -v docker-registry >/dev/null 2>&1 || absent+=(docker-registry)
  command -v skopeo >/dev/null 2>&1 || absent+=(skopeo)
  command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || absent+=(chromium)
  command -v htpasswd >/dev/null 2>&1 || absent+=(apache2-utils)
  echo "${absent[*]}"
}

section "Debian packages"
missing=$(missing_packages)
if [[ -n $missing ]]; then
  echo "missing: $missing"
  if [[ $(id -u) == 0 ]]; then
    echo "installing as root"
    # shellcheck disable=SC2086 # the line is the exact, documented one
    apt-get update && DEBIAN_FRONTEND=noninteractive $install_line || echo "apt-get failed"
    missing=$(missing_packages)
  fi
  if [[ -n $missing ]]; then
    echo "The tests need Debian packages that are not installed ($missing). Install them (as root) with:"
    echo "$install_line"
    exit 1
  fi
fi
echo "docker-registry, skopeo, chromium, htpasswd: present"

# nginx: the recommended deployment (cached blobs sent by nginx, PULLGATE_OFFLOAD=nginx)
# is tested with Debian's nginx in front of the proxy. Kept apart from the line above.
nginx_install_line="apt-get install -y nginx-light"
have_nginx() { command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; }
if ! have_nginx; then
  if [[ $(id -u) == 0 ]]; then
    echo "nginx missing: installing as root"
    # shellcheck disable=SC2086
    { apt-get update && DEBIAN_FRONTEND=noninteractive $nginx_install_line; } || echo "apt-get failed"
  fi
  if ! have_nginx; then
    echo "The offload tests need Debian's nginx. Install it (as root) with:"
    echo "$nginx_install_line"
    exit 1
  fi
fi
echo "nginx: present"

# The client matrix (tests/clients) pulls through the proxy with podman, containerd's ctr and
# Docker, each with its own daemon and storage in a temporary directory (run as root). Kept apart
# from the lines above. The docker CLI used is the one of the docker.io package (/usr/bin/docker).
clients_install_line="apt-get install -y podman containerd docker.io"
missing_client_packages() {
  local absent=()
  command -v podman >/dev/null 2>&1 || absent+=(podman)
  { command -v containerd && command -v ctr; } >/dev/null 2>&1 || absent+=(containerd)
  if ! { command -v dockerd >/dev/null 2>&1 || [[ -x /usr/sbin/dockerd ]]; } || [[ ! -x /usr/bin/docker ]]; then absent+=(docker.io); fi
  echo "${absent[*]}"
}
missing=$(missing_client_packages)
if [[ -n $missing ]]; then
  if [[ $(id -u) == 0 ]]; then
    echo "client matrix packages missing ($missing): installing as root"
    # shellcheck disable=SC2086
    { apt-get update && DEBIAN_FRONTEND=noninteractive $clients_install_line; } || echo "apt-get failed"
    missing=$(missing_client_packages)
  fi
  if [[ -n $missing ]]; then
    echo "The client-matrix tests need Debian packages that are not installed ($missing). Install them (as root) with:"
    echo "$clients_install_line"
    exit 1
  fi
fi
echo "podman, containerd, docker.io: present"

# psql: the embedded database's login is tested with the real client (tests/db/embedded-auth.test.ts).
psql_install_line="apt-get install -y postgresql-client"
if ! command -v psql >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]]; then
    echo "psql missing: installing as root"
    # shellcheck disable=SC2086
    { apt-get update && DEBIAN_FRONTEND=noninteractive $psql_install_line; } || echo "apt-get failed"
  fi
  if ! command -v psql >/dev/null 2>&1; then
    echo "The embedded-database tests need psql. Install it (as root) with:"
    echo "$psql_install_line"
    exit 1
  fi
fi
echo "psql: present"

# --- 2. Postgres ---------------------------------------------------------------
section "Postgres"
if ! bash scripts/ensure-postgres.sh; then
  echo "tests: 0 passed, 0 failed"
  exit 1
fi

# --- 3. Checks -------------------------------------------------------------------
failed_steps=()
step_status=()

run_step() {
  local name=$1
  shift
  section "$name: $*"
  local started=$SECONDS
  "$@"
  local rc=$?
  if [[ $rc == 0 ]]; then
    step_status+=("$name: ok ($((SECONDS - started)) s)")
  else
    step_status+=("$name: FAILED, exit $rc ($((SECONDS - started)) s)")
    failed_steps+=("$name")
  fi
  return $rc
}

run_step typecheck npm run typecheck
run_step lint npm run lint
# The build comes before Vitest: tests/portal runs the production portal (and would build it first itself).
run_step build npm run build
build_rc=$?
run_step vitest npx vitest run --reporter=default --reporter=json --outputFile.json="$results_dir/vitest.json"
vitest_rc=$?

if ((build_rc == 0)); then
  if [[ -f playwright.config.ts ]]; then
    PLAYWRIGHT_JSON_OUTPUT_NAME="$results_dir/playwright.json" run_step playwright npx playwright test --reporter=list,json
  else
    section "playwright"
    echo "playwright.config.ts is missing: the e2e suite cannot run"
    step_status+=("playwright: FAILED, playwright.config.ts missing")
    failed_steps+=(playwright)
    false
  fi
  playwright_rc=$?
else
  section "playwright"
  echo "not run: the production build failed, and the e2e suite tests that build"
  step_status+=("playwright: NOT RUN (build failed)")
  failed_steps+=(playwright)
  playwright_rc=1
fi

# --- Summary ---------------------------------------------------------------------
section "Summary"
printf '%s\n' "${step_status[@]}"

# Counts come from the JSON reports. A runner that failed without reporting any
# failing test (crash, broken config, a file that does not load) still counts
# as one failure, so the totals never read "0 failed" for a red run.
counts=$(node - "$results_dir/vitest.json" "$vitest_rc" "$results_dir/playwright.json" "$playwright_rc" <<'NODE'
const fs = require("node:fs");
const [vitestFile, vitestRc, playwrightFile, playwrightRc] = process.argv.slice(2);
const read = (file) => { try { return JSON.parse(fs.readFileSync(file, "utf8")); } catch { return null; } };
let passed = 0, failed = 0, skipped = 0;
const v = read(vitestFile);
if (v) {
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  if (vitestRc !== "0" && !(v.numFailedTests > 0)) failed += Math.max(1, v.numFailedTestSuites ?? 0);
} else if (vitestRc !== "0") failed += 1;
const p = read(playwrightFile);
if (p) {
  const s = p.stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
  if (playwrightRc !== "0" && !(s.unexpected > 0)) failed += Math.max(1, (p.errors ?? []).length);
} else if (playwrightRc !== "0") failed += 1;
console.log(`${passed} ${failed} ${skipped}`);
NODE
)
read -r passed failed skipped <<<"${counts:-0 1 0}"

if [[ $skipped != 0 ]]; then echo "skipped tests: $skipped (see the runner output above)"; fi
if ((${#failed_steps[@]})); then echo "failed steps: ${failed_steps[*]}"; fi
echo "tests: $passed passed, $failed failed"

((${#failed_steps[@]} == 0))
