#!/usr/bin/env bash
# Install what the stack and the tests need; each step is skipped quickly when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

# 1. Debian packages: RabbitMQ and Redis servers (apt does not start daemons here; devstack does).
missing=()
for package in rabbitmq-server redis-server; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

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

# 4. Local configuration.
if [ ! -f .env ]; then
  cp .env.example .env
  say "Created .env from .env.example"
fi
