#!/usr/bin/env bash
# scripts/telemetry-passes.sh: the three settings of bench-telemetry.sh (off,
# metrics, metrics and traces at 10 %) served at once by three faultlines on
# core 1, and wrk (core 0) loading one at a time with me-ok for DURATION
# seconds, the order turning each pass; PASSES passes. With the servers up
# throughout, a pass takes seconds, so the machine's drift weighs on the
# three alike. Prints each pass and the ratios to "off", pass by pass.
#
# Knobs: PASSES (default 12), DURATION (default 3), PEERS (for post.lua).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
peers="${PEERS:-$root/../shared/peers}"
passes="${PASSES:-12}" dur="${DURATION:-3}"
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/faultline" .
go build -o "$work/otlpsink" ./internal/tools/otlpsink
taskset -c 0 "$work/otlpsink" -addr 127.0.0.1:18418 2>"$work/sink.log" &
pids+=($!)

secret="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" password="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
declare -A extra=([off]="" [metrics]="FAULTLINE_ADMIN_ADDR=127.0.0.1:18421"
  [traced]="FAULTLINE_ADMIN_ADDR=127.0.0.1:18422 OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:18418 OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1")
declare -A port=([off]=18411 [metrics]=18412 [traced]=18413) token=()
settings=(off metrics traced)
for s in "${settings[@]}"; do
  mkdir -p "$work/$s"
  # shellcheck disable=SC2086 # extra holds several assignments
  taskset -c 1 env ${extra[$s]} FAULTLINE_ENV=development "FAULTLINE_ADDR=127.0.0.1:${port[$s]}" \
    "FAULTLINE_JWT_SECRET=$secret" "FAULTLINE_DEMO_PASSWORD=$password" "DATABASE_URL=sqlite://$work/$s/f.db" \
    FAULTLINE_LOG_FORMAT=json "$work/faultline" >"$work/$s/log" 2>&1 &
  pids+=($!)
done
for s in "${settings[@]}"; do
  for _ in $(seq 100); do curl -sf -o /dev/null "127.0.0.1:${port[$s]}/healthz" && break; sleep 0.1; done
  token[$s]="$(curl -s "127.0.0.1:${port[$s]}/query" -H 'Content-Type: application/json' \
    -d "{\"query\":\"mutation { login(email: \\\"user@faultline.dev\\\", password: \\\"$password\\\") { accessToken } }\"}" |
    sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')"
  [ -n "${token[$s]}" ] || { echo "telemetry-passes: no token from $s" >&2; cat "$work/$s/log" >&2; exit 1; }
done
export BENCH_BODY='{"query":"{ me { id email role } }"}'
load() { # setting seconds: req/s
  BENCH_TOKEN="${token[$1]}" taskset -c 0 wrk -t2 -c32 -d"$2"s -s "$peers/post.lua" "http://127.0.0.1:${port[$1]}/query" |
    sed -n 's/^RESULT rps=\([0-9.]*\).*/\1/p'
}
for s in "${settings[@]}"; do load "$s" 3 >/dev/null; done # warm-up
for p in $(seq "$passes"); do
  line="$p"
  for k in 0 1 2; do s="${settings[$(( (k + p) % 3 ))]}"; line="$line $s=$(load "$s" "$dur")"; done
  echo "$line"
done | tee "$work/passes"
awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       for (s in v) { sum[s] += v[s] } m[NR] = v["metrics"] / v["off"]; t[NR] = v["traced"] / v["off"]
       mr = mr sprintf(" %.2f", m[NR]); tr = tr sprintf(" %.2f", t[NR]); ms += m[NR]; ts += t[NR] }
     END { printf "mean req/s: off %.0f, metrics %.0f, traced %.0f\n", sum["off"] / NR, sum["metrics"] / NR, sum["traced"] / NR
           printf "metrics / off, pass by pass:%s (mean %.3f)\n", mr, ms / NR
           printf "traced / off, pass by pass:%s (mean %.3f)\n", tr, ts / NR }' "$work/passes"
