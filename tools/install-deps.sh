#!/usr/bin/env bash
# Installs the Debian packages Reprieve builds and tests with, if any are missing, and with
# --e2e the end-to-end tests' npm packages from their lock file if missing or stale.
# Idempotent and quiet when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config ccache
          libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
          libssl-dev libsqlite3-dev sqlite3 libgtest-dev libgmock-dev libcli11-dev prometheus-cpp-dev)
[ "${1:-}" = "--fuzz" ] && packages+=(clang-14 libclang-rt-14-dev)
[ "${1:-}" = "--e2e" ] && packages+=(python3 python3-azure azure-cli openssl chromium prometheus)
[ "${1:-}" = "--bench" ] && packages+=(wrk curl)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--bench" ] && [ ! -d bench/peers/node_modules ]; then
  echo "install-deps: npm ci in bench/peers"
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
fi
[ "${1:-}" = "--e2e" ] || exit 0
e2e=tests/e2e/js
stamp=$e2e/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || ! cmp -s <(sed -n '/"packages"/,$p' "$e2e/package-lock.json" | grep -c '"version"') \
                               <(sed -n '/"packages"/,$p' "$stamp" | grep -c '"version"') \
   || [ "$e2e/package-lock.json" -nt "$stamp" ]; then
  echo "install-deps: npm ci in $e2e"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
