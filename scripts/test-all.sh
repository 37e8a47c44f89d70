#!/usr/bin/env bash
# The one command that runs every saifu test on a fresh Debian machine:
#
#     bash scripts/test-all.sh
#
# It installs what the tests need when it is missing (as root, through apt-get), then runs the
# format check, clippy, the whole test suite and a short run of every fuzz target. Each ensure_*
# function below owns one prerequisite and exports what the tests read; a new prerequisite (a
# Python virtualenv, Debian's chromium) gets its own ensure_* function, called from main.
#
# Environment:
#   SAIFU_TEST_DATABASE_URL  PostgreSQL server where tests create and drop their own databases
#                            (default: the server on 127.0.0.1:5432, installed if none answers)
#   SAIFU_VECTORS_DIR        third-party test vectors (default: ../shared/vectors next to the repo)
#   SAIFU_PORTAL_SCREENSHOTS where browser tests keep their screenshots
#                            (default: target/test-artifacts/screenshots)
#   SAIFU_PYTHON             a Python with interop/python/requirements.txt installed
#                            (default: .venv in the repo, created and filled here)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# apt-get update runs at most once per invocation, before the first install.
apt_updated=
apt_install() {
  [ "$(id -u)" -eq 0 ] || die "installing $* needs root (apt-get); run as root or install it yourself"
  if [ -z "$apt_updated" ]; then
    apt-get update
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo not found: install Rust 1.95 or newer (https://rustup.rs)"
  local missing=()
  cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
  if [ "${#missing[@]}" -gt 0 ]; then
    command -v rustup >/dev/null || die "cargo is missing ${missing[*]} and rustup is not installed"
    rustup component add "${missing[@]}"
  fi
}

pg_answers() { # host port
  if command -v pg_isready >/dev/null; then
    pg_isready -q -h "$1" -p "$2"
  else
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
  fi
}

# Uses SAIFU_TEST_DATABASE_URL if set, else a PostgreSQL on 127.0.0.1:5432; if none answers,
# installs Debian's postgresql, lets local TCP connections in without a password and starts it.
ensure_postgres() {
  if [ -n "${SAIFU_TEST_DATABASE_URL:-}" ]; then
    log "PostgreSQL: using SAIFU_TEST_DATABASE_URL"
    return
  fi
  export SAIFU_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
  if pg_answers 127.0.0.1 5432; then
    log "PostgreSQL: using the server on 127.0.0.1:5432"
    return
  fi

  log "PostgreSQL: none answers on 127.0.0.1:5432; installing and starting Debian's postgresql"
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  [ -n "$version" ] || die "postgresql is installed but /usr/lib/postgresql has no version"
  [ -d "/etc/postgresql/$version/main" ] || pg_createcluster "$version" main

  # Trust TCP connections from this machine only, so tests can connect as `postgres` without
  # a password. The first matching pg_hba.conf line wins, hence the lines go on top.
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q 'saifu scripts/test-all.sh' "$hba"; then
    sed -i '1i # added by saifu scripts/test-all.sh: local test connections need no password\
host all all 127.0.0.1/32 trust\
host all all ::1/128 trust' "$hba"
  fi
  if pg_lsclusters --no-header "$version" main | grep -q online; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  else
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi

  local _
  for _ in $(seq 30); do
    pg_answers 127.0.0.1 5432 && return
    sleep 1
  done
  die "PostgreSQL $version did not start; see /var/log/postgresql/postgresql-$version-main.log"
}

# Installs the npm peer implementations the interop tests run against, exactly as pinned in
# interop/package-lock.json.
ensure_npm_peers() {
  command -v npm >/dev/null || apt_install nodejs npm
  node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
    die "interop/ needs Node.js 20 or newer; found $(node --version)"
  log "npm ci --prefix interop"
  npm ci --prefix interop --no-audit --no-fund
}

# Installs the Python peer implementations (sd-jwt and its dependencies, pinned in
# interop/python/requirements.txt) into .venv, unless SAIFU_PYTHON names an interpreter
# that already has them.
ensure_python_peers() {
  if [ -n "${SAIFU_PYTHON:-}" ]; then
    log "Python peers: using SAIFU_PYTHON=$SAIFU_PYTHON"
    return
  fi
  command -v python3 >/dev/null || apt_install python3 python3-venv
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  [ -x .venv/bin/python ] || python3 -m venv .venv
  log "pip install -r interop/python/requirements.txt (into .venv)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r interop/python/requirements.txt
  export SAIFU_PYTHON=$repo/.venv/bin/python
}

# Installs Debian's Chromium for the real-browser portal test (interop/browser/portal.mjs drives
# it headless through playwright-core at /usr/bin/chromium).
ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

# The nightly toolchain and cargo-fuzz, for the short fuzz run of every target (scripts/fuzz.sh).
ensure_fuzzing() {
  if ! cargo +nightly --version >/dev/null 2>&1; then
    command -v rustup >/dev/null || die "fuzzing needs the nightly toolchain and rustup is not installed"
    rustup toolchain install nightly --profile minimal
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    log "cargo install cargo-fuzz"
    cargo install cargo-fuzz --locked
  fi
}

main() {
  export SAIFU_VECTORS_DIR=${SAIFU_VECTORS_DIR:-$repo/../shared/vectors}
  # The browser tests' screenshots (each step of the portal and web wallet stories) stay here
  # as test artifacts.
  export SAIFU_PORTAL_SCREENSHOTS=${SAIFU_PORTAL_SCREENSHOTS:-$repo/target/test-artifacts/screenshots}
  ensure_rust
  ensure_postgres
  ensure_npm_peers
  ensure_python_peers
  ensure_chromium
  ensure_fuzzing

  log "cargo fmt --all -- --check"
  cargo fmt --all -- --check
  log "cargo clippy --workspace --all-targets -- -D warnings"
  cargo clippy --workspace --all-targets -- -D warnings
  log "cargo test --workspace"
  cargo test --workspace
  log "scripts/fuzz.sh 10 (every fuzz target, 10 seconds each)"
  bash scripts/fuzz.sh 10
}

main "$@"
