#!/usr/bin/env bash
# run_fuzzers.sh BIN_DIR SECONDS: runs every libFuzzer target for SECONDS each, starting from
# the committed seeds (fuzz/corpus/<target>) in a scratch corpus, and fails on the first
# crash, leak, sanitizer report or 5xx. Prints one line per target.
set -uo pipefail
cd "$(dirname "$0")/.."
bin_dir=$1
seconds=$2
status=0
for target in resource_id time arm_api http_request; do
  work=$(mktemp -d)
  cp fuzz/corpus/$target/* "$work"/
  log=$(mktemp)
  if "$bin_dir/${target}_fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -print_final_stats=1 "$work" >"$log" 2>&1; then
    runs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "fuzz: ${target}_fuzzer ok: ${runs:-?} inputs in ${seconds}s, corpus $(ls "$work" | wc -l)"
  else
    echo "fuzz: ${target}_fuzzer FAILED; its output:"
    tail -60 "$log"
    status=1
  fi
  rm -rf "$work" "$log"
done
exit $status
