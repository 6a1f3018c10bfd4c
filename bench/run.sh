#!/usr/bin/env bash
# make bench: builds in release mode, measures each row against its anchor in the same run
# (medians of ROUNDS alternating rounds), prints one table and writes it to
# bench/results/<date>.md. See bench/README.md for what each row means.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
POPULATION=${POPULATION:-1000000}
IN_SUB=$((POPULATION * 6 / 10))
BIN=build/release/src/reprieved
TOOL=build/release/bench/reprieve_bench
SUB=00000000-0000-0000-0000-00000000b001
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# Every request carries a bearer token shaped like the ones az and the SDKs send: a JWT of
# about 1.6 KB naming a user (auth.lua for wrk, the environment for reprieve_bench).
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
jwt_claims='{"aud":"https://management.core.windows.net/","iss":"https://sts.windows.net/00000000-0000-0000-0000-00000000a001/","iat":1795000000,"nbf":1795000000,"exp":1795004000,"acr":"1","amr":["pwd","mfa"],"appid":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","appidacr":"0","family_name":"User","given_name":"Bench","idtyp":"user","ipaddr":"127.0.0.1","name":"Bench User","oid":"00000000-0000-0000-0000-0000000000c1","scp":"user_impersonation","tid":"00000000-0000-0000-0000-00000000a001","unique_name":"bench@reprieve.local","upn":"bench@reprieve.local","ver":"1.0","wids":["b79fbf4d-3ef9-4689-8143-76b194e85509"],"aio":"'$(printf 'A%.0s' $(seq 1 120))'","sub":"'$(printf 'S%.0s' $(seq 1 43))'"}'
BENCH_TOKEN="$(printf '{"typ":"JWT","alg":"RS256","kid":"bench"}' | b64url).$(printf '%s' "$jwt_claims" | b64url).$(head -c 256 /dev/zero | b64url)"
export BENCH_TOKEN

# start_reprieved DATA_DIR [flags...]: sets $pid, $https, $plain
start_reprieved() {
  local dir=$1; shift
  "$BIN" --listen 127.0.0.1:0 --plain-listen 127.0.0.1:0 --data-dir "$dir" "$@" >"$dir.out" 2>"$dir.err" &
  pid=$!; pids+=("$pid")
  for _ in $(seq 1 500); do grep -q "plain HTTP" "$dir.out" 2>/dev/null && break; sleep 0.01; done
  https=$(sed -n 1p "$dir.out" | sed 's/.*on //'); plain=$(sed -n 2p "$dir.out" | sed 's/.*on //')
}

# wrk_run URL PID: prints "req_per_s p99_ms cpu_us_per_req"
wrk_run() {
  local before after out rps p99
  before=$(ticks "$2")
  out=$(wrk -t1 -c32 -d"${SECONDS_PER_RUN}s" --latency -s bench/auth.lua "$1")
  after=$(ticks "$2")
  # A rate of error answers would be a number about something else.
  if grep -q "Non-2xx" <<<"$out"; then
    echo "bench: $1 answered $(awk '/Non-2xx/ {print $NF}' <<<"$out") non-2xx responses" >&2
    touch "$work/invalid"
  fi
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
  awk -v r="$rps" -v p="$p99" -v b="$before" -v a="$after" -v hz="$hz" -v s="$SECONDS_PER_RUN" \
    'BEGIN {printf "%.0f %.3f %.1f\n", r, p, (a - b) / hz * 1e6 / (r * s)}'
}

field() { awk -v k="$1" '$1 == k {print $2}'; }
# load ARGS...: `reprieve_bench load`; a run that saw error answers voids the results.
load() {
  local out
  out=$("$TOOL" load "$@")
  check_load "$out" "$*"
  printf '%s\n' "$out"
}
check_load() {
  if [ "$(field errors <<<"$1")" != "0" ]; then
    echo "bench: load $2 saw $(field errors <<<"$1") error answers" >&2
    touch "$work/invalid"
  fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }

echo "bench: building (release)" >&2
cmake --preset release >/dev/null
cmake --build build/release -j "$(nproc)" --target reprieved reprieve_bench >/dev/null

# ---- rows 1-3, 6: a fresh server
start_reprieved "$work/live"
live_pid=$pid; live_https=$https; live_plain=$plain
account="/subscriptions/$SUB/resourceGroups/bench/providers/Microsoft.CognitiveServices/accounts/getme?api-version=2025-09-01"
curl -sf --cacert "$work/live/tls/ca.pem" -H 'Authorization: Bearer b' -X PUT -H 'Content-Type: application/json' \
  -d '{"location":"eastus"}' "$live_https/subscriptions/$SUB/resourcegroups/bench?api-version=2025-04-01" >/dev/null
curl -sf --cacert "$work/live/tls/ca.pem" -H 'Authorization: Bearer b' -X PUT -H 'Content-Type: application/json' \
  -d '{"location":"eastus","kind":"TextAnalytics","sku":{"name":"S0"},"tags":{"team":"bench"}}' "$live_https$account" >/dev/null
body_bytes=$(curl -sf --cacert "$work/live/tls/ca.pem" -H 'Authorization: Bearer b' "$live_https$account" | wc -c)
"$TOOL" anchor-beast-tls 0 "$work/live/tls/server.pem" "$work/live/tls/server-key.pem" "$body_bytes" >"$work/tls-anchor.out" &
pids+=("$!"); tls_anchor_pid=$!
"$TOOL" anchor-asio 0 "$body_bytes" >"$work/asio-anchor.out" &
pids+=("$!"); asio_anchor_pid=$!
sleep 0.5
tls_anchor="https://127.0.0.1:$(awk '{print $4}' "$work/tls-anchor.out")"
asio_anchor="http://127.0.0.1:$(awk '{print $4}' "$work/asio-anchor.out")"

declare -A samples
for round in $(seq 1 "$ROUNDS"); do
  echo "bench: round $round/$ROUNDS" >&2
  read -r r p c < <(wrk_run "$tls_anchor/x" "$tls_anchor_pid"); samples[a1]+="$r "; samples[a1c]+="$c "
  read -r r p c < <(wrk_run "$live_https$account" "$live_pid"); samples[r1]+="$r "; samples[r1p]+="$p "; samples[r1c]+="$c "
  read -r r p c < <(wrk_run "$asio_anchor/x" "$asio_anchor_pid"); samples[a2]+="$r "; samples[a2c]+="$c "
  read -r r p c < <(wrk_run "$live_plain$account" "$live_pid"); samples[r2]+="$r "; samples[r2p]+="$p "; samples[r2c]+="$c "
  samples[a3]+="$("$TOOL" fsync "$work/live" 2 | field fsyncs_per_s) "
  samples[a3s]+="$("$TOOL" sqlite-commit "$work/live" 2 32 | field rows_per_s) "
  before=$(ticks "$live_pid")
  out=$(load "$live_plain" lifecycle 32 "$SECONDS_PER_RUN")
  after=$(ticks "$live_pid")
  n=$(field requests <<<"$out")
  samples[r3]+="$(field requests_per_s <<<"$out") "; samples[r3p]+="$(field p99_ms <<<"$out") "
  samples[r3c]+="$(awk -v a="$after" -v b="$before" -v hz="$hz" -v n="$n" 'BEGIN {printf "%.1f", (a-b)/hz*1e6/n}') "
  out=$(load "$live_https" recover 1 3)
  samples[r6]+="$(field p99_ms <<<"$out") "; samples[r6p50]+="$(field p50_ms <<<"$out") "
done
m() { tr ' ' '\n' <<<"${samples[$1]}" | grep -v '^$' | median; }

# ---- row 8: the peers users run instead, answering the same GET (plain HTTP, like row 2)
peer8="not measured: bench/peers has no node_modules (npm ci there)"
if [ -x bench/peers/node_modules/.bin/json-server ] && [ -x bench/peers/node_modules/.bin/prism ]; then
  echo "bench: peers" >&2
  body=$(curl -sf --cacert "$work/live/tls/ca.pem" -H 'Authorization: Bearer b' "$live_https$account")
  mkdir -p "$work/peers"
  printf '{"accounts":[%s]}\n' "$(sed 's/"id":"[^"]*"/"id":"getme"/' <<<"$body")" >"$work/peers/db.json"
  cat >"$work/peers/openapi.json" <<JSON
{"openapi":"3.0.0","info":{"title":"peer","version":"1"},"paths":{"/accounts/getme":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"example":$body}}}}}}}}
JSON
  json_port=$((20000 + RANDOM % 20000)); prism_port=$((json_port + 1))
  (cd "$work/peers" && exec "$OLDPWD/bench/peers/node_modules/.bin/json-server" --port "$json_port" --quiet db.json) >/dev/null 2>&1 &
  json_pid=$!; pids+=("$json_pid")
  bench/peers/node_modules/.bin/prism mock -p "$prism_port" "$work/peers/openapi.json" >/dev/null 2>&1 &
  prism_pid=$!; pids+=("$prism_pid")
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$json_port/accounts/getme" >/dev/null 2>&1 &&
      curl -sf "http://127.0.0.1:$prism_port/accounts/getme" >/dev/null 2>&1 && break
    sleep 0.1
  done
  # json-server and Prism run on Node: a warm-up for the JIT first.
  wrk -t1 -c32 -d2s "http://127.0.0.1:$json_port/accounts/getme" >/dev/null
  wrk -t1 -c32 -d2s "http://127.0.0.1:$prism_port/accounts/getme" >/dev/null
  for round in $(seq 1 "$ROUNDS"); do
    read -r r p c < <(wrk_run "http://127.0.0.1:$json_port/accounts/getme" "$json_pid"); samples[pj]+="$r "
    read -r r p c < <(wrk_run "http://127.0.0.1:$prism_port/accounts/getme" "$prism_pid"); samples[pp]+="$r "
    read -r r p c < <(wrk_run "$live_plain$account" "$live_pid"); samples[r8]+="$r "
    read -r r p c < <(wrk_run "$asio_anchor/x" "$asio_anchor_pid"); samples[a8]+="$r "
  done
  r8=$(m r8); pj=$(m pj); pp=$(m pp); a8=$(m a8)
  peer8="Reprieve $r8 req/s; json-server $pj req/s; Prism $pp req/s (the bare Asio loop: $a8 req/s, $(ratio "$a8" "$pj")× / $(ratio "$a8" "$pp")×)"
fi

# ---- rows 4, 5, 7: a store of POPULATION soft-deleted accounts, all due at one instant
echo "bench: populating $POPULATION soft-deleted accounts" >&2
mkdir -p "$work/big"
"$TOOL" populate "$work/big/reprieve.db" "$POPULATION" "$IN_SUB" 2026-12-01T00:00:00Z >/dev/null 2>&1
start_ns=$(date +%s%N)
start_reprieved "$work/big" --clock manual --clock-start 2026-11-30T23:00:00Z
startup_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
big_pid=$pid
list="/subscriptions/$SUB/providers/Microsoft.CognitiveServices/deletedAccounts?api-version=2025-09-01&\$top=100"
deep_key=$(printf '/subscriptions/%s/resourcegroups/bench/providers/microsoft.cognitiveservices/accounts/acct%08d' "$SUB" $((IN_SUB - 200)) \
  | base64 -w0 | tr '+/' '-_' | tr -d '=')
first=$(load "$https" list "$list" 1 3 | field p99_ms)
deep=$(load "$https" list "$list&\$skipToken=$deep_key" 1 3 | field p99_ms)
rss_mb=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$big_pid/status")
# Row 5: move the clock past every purge date while GETs run.
get_path="/subscriptions/$SUB/resourcegroups/bench?api-version=2025-04-01"
curl -sf --cacert "$work/big/tls/ca.pem" -H 'Authorization: Bearer b' -X PUT -H 'Content-Type: application/json' \
  -d '{"location":"eastus"}' "$https$get_path" >/dev/null || true
"$TOOL" load "$https" get "$get_path" 2 30 >"$work/sweep-gets.out" &
gets=$!
sleep 1
t0=$(date +%s%N)
purged=$(curl -sf --max-time 120 --cacert "$work/big/tls/ca.pem" -H 'Authorization: Bearer b' \
  -d '{"advance":"PT2H"}' "$https/reprieve/admin/clock" | sed 's/.*"purged":\([0-9]*\).*/\1/')
sweep_s=$(awk -v a="$(date +%s%N)" -v b="$t0" 'BEGIN {printf "%.1f", (a-b)/1e9}')
rss_after_mb=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$big_pid/status")
wait "$gets"
sweep_get_p99=$(field p99_ms <"$work/sweep-gets.out")
check_load "$(cat "$work/sweep-gets.out")" "get during the sweep"

verdict() { awk -v v="$1" -v g="$2" -v dir="$3" 'BEGIN {ok = (dir == "ge") ? v >= g : v <= g; print ok ? "met" : "NOT met"}'; }
r1=$(m r1); a1=$(m a1); r2=$(m r2); a2=$(m a2); r3=$(m r3); a3=$(m a3); a3s=$(m a3s)
cpu_line() { printf '%s / %s' "$(m "$1")" "$(m "$2")"; }
if [ -e "$work/invalid" ]; then
  echo "bench: some runs measured error answers (see above); no results written" >&2
  exit 1
fi
table=$(cat <<TABLE
| # | row | Reprieve | anchor (same run) | ratio | goal | verdict | server CPU µs/req (Reprieve / anchor) |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 1 | GET live resource, HTTPS keep-alive, 32 conns (wrk) | $r1 req/s, p99 $(m r1p) ms | bare Beast TLS, ${body_bytes}-byte body: $a1 req/s | $(ratio "$r1" "$a1") | ≥ 0.75 | $(verdict "$(ratio "$r1" "$a1")" 0.75 ge) | $(cpu_line r1c a1c) |
| 2 | GET live resource, plain HTTP, 32 conns (wrk) | $r2 req/s, p99 $(m r2p) ms | bare Asio loop: $a2 req/s | $(ratio "$r2" "$a2") | ≥ 0.6 | $(verdict "$(ratio "$r2" "$a2")" 0.6 ge) | $(cpu_line r2c a2c) |
| 3 | durable mutations (create/delete/recover/delete/purge), 32 clients | $r3 /s, p99 $(m r3p) ms | fdatasync loop: $a3 /s; SQLite alone, 32 upserts per commit: $a3s rows/s | $(ratio "$r3" "$a3") / $(ratio "$r3" "$a3s") | ≥ 4 (fdatasync), p99 ≤ 30 ms | $(verdict "$(ratio "$r3" "$a3")" 4 ge) (p99 $(verdict "$(m r3p)" 30 le)) | $(m r3c) / – |
| 4 | list deleted, page of 100, $POPULATION deleted ($IN_SUB in the subscription), HTTPS | p99 first page $first ms, deep page $deep ms | – | – | p99 ≤ 5 ms | $(verdict "$(awk -v a="$first" -v b="$deep" 'BEGIN {print (a > b) ? a : b}')" 5 le) | – |
| 5 | sweeper: $POPULATION due at one instant, GETs running | $purged purged in $sweep_s s; GET p99 $sweep_get_p99 ms | – | – | ≤ 60 s, GET p99 < 10 ms | $(verdict "$sweep_s" 60 le) / $(verdict "$sweep_get_p99" 10 le) | – |
| 6 | recover of a soft-deleted resource, end to end, HTTPS | p50 $(m r6p50) ms, p99 $(m r6) ms | – | – | p99 ≤ 5 ms | $(verdict "$(m r6)" 5 le) | – |
| 7 | memory and start-up with $POPULATION resources | RSS $rss_mb MB (after the sweep $rss_after_mb MB), start-up $startup_ms ms | – | – | ≤ 300 MB, ≤ 2 s | $(verdict "$rss_mb" 300 le) / $(verdict "$startup_ms" 2000 le) | – |
| 8 | peers: GET, plain HTTP, 32 conns (wrk) | $peer8 | json-server 0.17.4 / Prism 5.14.2 | $( [ -n "${pj:-}" ] && echo "$(ratio "$r8" "$pj") / $(ratio "$r8" "$pp")" || echo –) | ≥ 10× / ≥ 20× | $( [ -n "${pj:-}" ] && echo "$(verdict "$(ratio "$r8" "$pj")" 10 ge) / $(verdict "$(ratio "$r8" "$pp")" 20 ge)" || echo "not measured") | – |
TABLE
)
echo "$table"
date_tag=$(date -u +%Y-%m-%d)
# A second run on the same day keeps the first: results/<date>-2.md, -3, ...
out_file="bench/results/$date_tag.md"
for n in $(seq 2 99); do [ -e "$out_file" ] || break; out_file="bench/results/$date_tag-$n.md"; done
{
  echo "# Benchmark results, $date_tag"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); medians of $ROUNDS alternating rounds of ${SECONDS_PER_RUN} s (rows 1-3, 6)."
  echo "Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo
  echo "$table"
} >"$out_file"
echo "bench: wrote $out_file" >&2
