#!/usr/bin/env bash
# Install what the stack and the tests need; each step is skipped quickly when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }
SECANTUS_RS_VERSION="0.5.3-beta.193"  # crate secantus-mdb, pre-release: pinned exactly

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Install the Debian packages named that are not installed yet.
apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  say "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# Turn off a system service a Debian package started: devstack runs its own on the same port,
# with our configuration (a no-op where apt starts no daemons, as in containers).
stop_system_service() {
  if [ -d /run/systemd/system ] && systemctl is-enabled --quiet "$1" 2>/dev/null; then
    say "Disabling the system's $1 service (devstack starts its own)"
    as_root systemctl disable --now --quiet "$1"
  elif [ -x "/etc/init.d/$1" ] && "/etc/init.d/$1" status >/dev/null 2>&1; then
    say "Stopping the system's $1 service (devstack starts its own)"
    as_root "/etc/init.d/$1" stop >/dev/null
    as_root update-rc.d "$1" disable >/dev/null 2>&1 || true
  fi
}

# 1. Debian packages: RabbitMQ, Redis and Prometheus (with promtool) servers (apt does not start
#    daemons here; devstack does), and Chromium for the headless browser test of /docs.
apt_install rabbitmq-server redis-server prometheus chromium
stop_system_service prometheus

# 2. Python virtualenv with the pinned requirements.
python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Python 3.11 or newer is needed ($python_bin is $("$python_bin" --version 2>&1))" >&2
  exit 1
fi
wanted="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.installed 2>/dev/null)" != "$wanted" ]; then
  say "Installing Python packages into .venv"
  "$python_bin" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" > .venv/.installed
fi

# 3. Prism (pinned in mocks/package-lock.json).
wanted="$(sha256sum mocks/package-lock.json | cut -d' ' -f1)"
if [ ! -x mocks/node_modules/.bin/prism ] || [ "$(cat mocks/node_modules/.installed 2>/dev/null)" != "$wanted" ]; then
  say "Installing Prism (npm ci in mocks/)"
  (cd mocks && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$wanted" > mocks/node_modules/.installed
fi

# 3b. Swagger UI and ReDoc, served by every service at /docs (pinned in
#     servicekit/docs_assets/package-lock.json). --ignore-scripts: the assets need no install
#     scripts (swagger-ui-dist's would only send usage analytics); --omit=peer: only ReDoc's
#     standalone bundle is served, not its React library build.
wanted="$(sha256sum servicekit/docs_assets/package-lock.json | cut -d' ' -f1)"
if [ "$(cat servicekit/docs_assets/node_modules/.installed 2>/dev/null)" != "$wanted" ]; then
  say "Installing Swagger UI and ReDoc (npm ci in servicekit/docs_assets/)"
  (cd servicekit/docs_assets && npm ci --no-audit --no-fund --ignore-scripts --omit=peer \
    --loglevel=error >/dev/null)
  echo "$wanted" > servicekit/docs_assets/node_modules/.installed
fi

# 4. The local MongoDB-compatible server: SecantusDB's Rust server, built once per machine with
#    cargo (about 5 min on 2 cores, then reused). MONGO_SERVER=python keeps the Python server
#    (installed with the venv) and skips the build; a machine without cargo falls back to it.
if [ "${MONGO_SERVER:-rust}" = "rust" ] && [ -z "${MONGO_URL:-}" ]; then
  if [ "$(cat .tools/secantus/.installed 2>/dev/null)" != "$SECANTUS_RS_VERSION" ]; then
    cargo_bin="$(command -v cargo || echo "$HOME/.cargo/bin/cargo")"
    if [ -x "$cargo_bin" ]; then
      apt_install cmake zlib1g-dev  # WiredTiger's build
      say "Building secantusd-rs $SECANTUS_RS_VERSION with cargo (once per machine, about 5 min)"
      # The crate asks for rustc 1.98; it builds and passes our suite on 1.95, the newest
      # toolchain these machines have.
      "$cargo_bin" install secantus-mdb --version "$SECANTUS_RS_VERSION" --locked --ignore-rust-version \
        --root .tools/secantus --quiet
      echo "$SECANTUS_RS_VERSION" > .tools/secantus/.installed
    else
      say "cargo not found: using SecantusDB's Python server (set MONGO_SERVER=python to silence)"
    fi
  fi
fi

# 5. Local configuration.
if [ ! -f .env ]; then
  cp .env.example .env
  say "Created .env from .env.example"
fi
