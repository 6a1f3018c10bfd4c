#!/usr/bin/env bash
# Fails if a module includes what its layer may not (STYLE.md "Boundary rules"):
# core and base use only the standard library and inner layers; third-party headers stay in
# the adapter that wraps them.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
forbid() {  # forbid <dir> <regex> <why>
  local hits
  hits=$(grep -rnE "$2" "$1" --include='*.h' --include='*.cc' || true)
  if [ -n "$hits" ]; then
    printf '%s\n%s\n\n' "layering: $3" "$hits"
    status=1
  fi
}
forbid src/reprieve/base '#include ["<](reprieve/(core|store|http|app)|boost|openssl|sqlite3)' \
  "base depends on nothing but the standard library"
forbid src/reprieve/core '#include ["<](reprieve/(store|http|app)|boost|openssl|sqlite3|thread>|filesystem>|fstream>)' \
  "core has no I/O, threads or third-party headers"
forbid src/reprieve/store '#include ["<](reprieve/(http|app)|boost|openssl)' \
  "stores know core only"
forbid src/reprieve/http '#include ["<](reprieve/(store|app)|sqlite3)' \
  "the HTTP layer talks to core, not to stores"
forbid src/reprieve/core '(system_clock::now|std::time\(|gettimeofday|clock_gettime)' \
  "only base/clock.cc reads the wall clock"
forbid src/reprieve/http '#include ["<]reprieve/cli' "the server knows nothing of its CLI"
# CLI11 only where the command line is parsed.
hits=$(grep -rlE '#include <CLI/' src | grep -v '^src/reprieve/cli/cli.cc$' || true)
if [ -n "$hits" ]; then
  printf 'layering: CLI11 outside cli/cli.cc\n%s\n' "$hits"
  status=1
fi
# prometheus-cpp only in the telemetry adapter's .cc files.
hits=$(grep -rlE '#include <prometheus/' src | grep -vE '^src/reprieve/telemetry/[a-z_]+\.cc$' || true)
if [ -n "$hits" ]; then
  printf 'layering: prometheus-cpp outside telemetry/*.cc\n%s\n' "$hits"
  status=1
fi
forbid src/reprieve/telemetry '#include ["<]reprieve/(store|http|app)' \
  "telemetry knows core only"
# Third-party headers only in .cc files (and http/internal, the JSON adapter's own headers,
# and cli/, a leaf executable's module that nothing else includes).
hits=$(grep -rlE '#include <(boost|openssl|sqlite3|prometheus)' src --include='*.h' |
       grep -vE '^src/reprieve/(http/internal|cli)/' || true)
if [ -n "$hits" ]; then
  printf 'layering: a public header includes a third-party library\n%s\n' "$hits"
  status=1
fi
[ "$status" -eq 0 ] && echo "layering: ok"
exit "$status"
