#!/usr/bin/env bash
# scripts/bench.sh (make bench): build faultline, run it beside the peers of
# ../shared/peers with their bench.sh in one invocation (--profile faultline,
# --ratio), and write the table, the ratios and the goals into
# docs/benchmarks.md between the bench markers (internal/tools/benchdoc).
#
# Knobs: PEERS (default ../shared/peers), ROUNDS (default 2) and every knob of
# bench.sh (DURATION, WARMUP, CONNS, PIN, ...). Load goes to 127.0.0.1 only and
# every wrk run is bounded in time; a whole run takes about 4 minutes a round.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
peers="${PEERS:-$root/../shared/peers}"
[ -f "$peers/bench.sh" ] || { echo "bench: no bench.sh in $peers (set PEERS)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "bench: building faultline into $work" >&2
go build -buildvcs=auto -o "$work/faultline" .  # the commit goes into the binary, and from it into the doc

export ROUNDS="${ROUNDS:-2}"
bash "$peers/bench.sh" all --profile faultline --name faultline --cmd "exec $work/faultline" --port 18090 --ratio |
  tee "$work/bench.log"

go run ./internal/tools/benchdoc -log "$work/bench.log" -bin "$work/faultline" -doc docs/benchmarks.md \
  -command "make bench (ROUNDS=$ROUNDS${DURATION:+ DURATION=$DURATION}${WARMUP:+ WARMUP=$WARMUP}${PIN:+ PIN=$PIN})"
echo "bench: docs/benchmarks.md updated" >&2
