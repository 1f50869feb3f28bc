#!/usr/bin/env bash
# scripts/bench-telemetry.sh (make bench-telemetry): what metrics and tracing
# cost a request. One run of ../shared/peers/bench.sh's faultline profile per
# setting and round, the settings alternated within each round, their order
# turning from round to round:
#   off       no FAULTLINE_ADMIN_ADDR, no OTEL_* variable
#   metrics   FAULTLINE_ADMIN_ADDR set: the metrics are collected
#   traced    metrics, and traces sampled at 10 % (parentbased_traceidratio 0.1)
#             exported over OTLP/HTTP to internal/tools/otlpsink on loopback
# It prints each setting's req/s per scenario (the mean of the rounds) and its
# change from "off", as the table of docs/benchmarks.md.
#
# Knobs: PEERS (default ../shared/peers), ROUNDS (default 3), and bench.sh's
# (DURATION, WARMUP, CONNS, PIN, ...). The server runs on core 1, wrk and the
# sink on core 0 (bench.sh's PIN=1); every load is on 127.0.0.1 and bounded.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
peers="${PEERS:-$root/../shared/peers}"
[ -f "$peers/bench.sh" ] || { echo "bench-telemetry: no bench.sh in $peers (set PEERS)" >&2; exit 1; }
rounds="${ROUNDS:-3}"

work="$(mktemp -d)"
sink=""
trap '[ -z "$sink" ] || kill "$sink" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/faultline" .
go build -o "$work/otlpsink" ./internal/tools/otlpsink
sinkaddr=127.0.0.1:18318
taskset -c 0 "$work/otlpsink" -addr "$sinkaddr" 2>"$work/sink.log" &
sink=$!

declare -A env=(
  [off]=""
  [metrics]="FAULTLINE_ADMIN_ADDR=127.0.0.1:18319"
  [traced]="FAULTLINE_ADMIN_ADDR=127.0.0.1:18319 OTEL_EXPORTER_OTLP_ENDPOINT=http://$sinkaddr OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1"
)
settings=(off metrics traced)
export ROUNDS=1
for round in $(seq "$rounds"); do
  # The order turns each round (off metrics traced, metrics traced off, ...):
  # the machine drifts within a round, and no setting is always last.
  for k in 0 1 2; do
    s="${settings[$(( (k + round - 1) % 3 ))]}"
    echo "== round $round: $s" >&2
    bash "$peers/bench.sh" --profile faultline --name "faultline-$s" --cmd "${env[$s]:+${env[$s]} }exec $work/faultline" \
      --port 18090 | awk -v r="$round" -F'\t' 'NF >= 13 && $1 == 1 { $1 = r; print }' OFS='\t' | tee -a "$work/rows.tsv" >&2
  done
done
grep -q . "$work/sink.log" || { echo "bench-telemetry: the sink received no export" >&2; exit 1; }
tail -1 "$work/sink.log" >&2

echo
echo "| scenario | off | metrics | metrics, traces at 10 % |"
echo "| --- | ---: | ---: | ---: |"
awk -F'\t' '
  { sum[$3, $2] += $4; n[$3, $2]++; if (!seen[$3]++) order[++k] = $3 }
  END {
    for (i = 1; i <= k; i++) {
      sc = order[i]; off = sum[sc, "faultline-off"] / n[sc, "faultline-off"]
      line = sprintf("| %s | %.0f req/s |", sc, off)
      split("faultline-metrics faultline-traced", others, " ")
      for (j = 1; j <= 2; j++) {
        v = sum[sc, others[j]] / n[sc, others[j]]
        line = line sprintf(" %.0f (%+.1f %%) |", v, 100 * (v - off) / off)
      }
      print line
    }
  }' "$work/rows.tsv"
echo
echo "rounds (req/s of each run):"
awk -F'\t' '{ printf "  round %s %-18s %-12s %s\n", $1, $2, $3, $4 }' "$work/rows.tsv"
