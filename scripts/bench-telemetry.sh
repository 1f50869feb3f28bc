#!/usr/bin/env bash
# scripts/bench-telemetry.sh (make bench-telemetry): what metrics and tracing
# cost a request, in one run. Three faultlines, one per setting:
#   off       no FAULTLINE_ADMIN_ADDR, no OTEL_* variable
#   metrics   FAULTLINE_ADMIN_ADDR set: the metrics are collected
#   traced    metrics, and traces sampled at 10 % (parentbased_traceidratio,
#             SAMPLE=0.1) exported over OTLP/HTTP to internal/tools/otlpsink
#             on core 0
# are loaded at the same time by three wrk (core 0, ../shared/peers/post.lua)
# with the scenarios of ../shared/peers/bench.sh's faultline profile (me-ok,
# admin-403, expired-401), each server on core 1 in a cgroup of its own capped
# at QUOTA % of the core. Each serves as many requests as its capped CPU
# time pays for, so the ratio of two servers' req/s is the inverse ratio of
# what a request costs them, measured over the same seconds.
#
# Why not bench.sh's runs one after the other: this 2-core VM's throughput
# moves by ±25 % within seconds, five times the 5 % being measured; loaded at
# once, the servers share that drift. Why fresh servers each pass, their
# places turning: two identical processes kept for a run differ by up to
# 12 % (where their memory landed, which cgroup's period runs first), so each
# pass starts three new ones, the settings taking each place (port, cgroup,
# start order) in turn. A block is three passes, one full turn; the figures
# are the mean over blocks of the block's req/s over off's, with the 95 %
# interval of that mean (Student's t). The caps add up to two thirds of
# core 1: the kernel's loopback work there is charged to no cgroup, and with
# the core full a server gets less than its cap and the ratio is no longer
# one of costs (the summary prints the least share a server had).
#
# Needs root for a cgroup CPU controller (v1 or v2). Knobs: PEERS (default
# ../shared/peers), PASSES (default 30, a multiple of 3), DURATION (default
# 3 s per scenario), QUOTA (default 22, % of core 1 per server), SAMPLE (the
# traced server's ratio, default 0.1). Every load is on 127.0.0.1 and
# bounded: about 12 s a pass, 6 minutes by default.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
peers="${PEERS:-$root/../shared/peers}"
[ -f "$peers/post.lua" ] || { echo "bench-telemetry: no post.lua in $peers (set PEERS)" >&2; exit 1; }
passes="${PASSES:-30}" dur="${DURATION:-3}" quota="${QUOTA:-22}" sample="${SAMPLE:-0.1}"
(( passes % 3 == 0 )) || { echo "bench-telemetry: PASSES must be a multiple of 3 (each setting in each place)" >&2; exit 1; }
for tool in wrk curl taskset; do
  command -v "$tool" >/dev/null || { echo "bench-telemetry: $tool is needed" >&2; exit 1; }
done

# One cgroup per place, capped at quota % of a CPU over periods of 20 ms.
period=20000 cgroups=()
if [ -w /sys/fs/cgroup/cpu ] && [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then # v1
  for k in 0 1 2; do
    cg="/sys/fs/cgroup/cpu/faultline-bench-$k"
    mkdir -p "$cg" && echo "$period" >"$cg/cpu.cfs_period_us" && echo $((period * quota / 100)) >"$cg/cpu.cfs_quota_us"
    cgroups+=("$cg")
  done
elif [ -w /sys/fs/cgroup/cgroup.subtree_control ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then # v2
  grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
  for k in 0 1 2; do
    cg="/sys/fs/cgroup/faultline-bench-$k"
    mkdir -p "$cg" && echo "$((period * quota / 100)) $period" >"$cg/cpu.max"
    cgroups+=("$cg")
  done
else
  echo "bench-telemetry: needs a writable cgroup CPU controller (run as root)" >&2
  exit 1
fi

work="$(mktemp -d)"
pids=() sink=""
cleanup() {
  kill "${pids[@]}" $sink 2>/dev/null || true
  wait 2>/dev/null || true
  for cg in "${cgroups[@]}"; do rmdir "$cg" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/faultline" .
go build -o "$work/otlpsink" ./internal/tools/otlpsink
(cd "$peers" && go build -o "$work/tokgen" ./tokgen)
taskset -c 0 "$work/otlpsink" -addr 127.0.0.1:18418 2>"$work/sink.log" &
sink=$!

randhex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
secret="$(randhex 32)" password="bench-$(randhex 8)"
settings=(off metrics traced)
scenarios=(me-ok admin-403 expired-401)
declare -A body=([me-ok]='{"query":"{ me { id email role } }"}'
  [admin-403]='{"query":"{ users(first: 1) { edges { node { id } } } }"}' [expired-401]='{"query":"{ me { id } }"}')
declare -A want=([me-ok]='"role":"USER"' [admin-403]='"type":"INSUFFICIENT_ROLE"' [expired-401]='"type":"TOKEN_EXPIRED"')
declare -A pid=() port=() token=()

post() { # port token body: the response
  curl -s "127.0.0.1:$1/query" -H 'Content-Type: application/json' ${2:+-H "Authorization: Bearer $2"} -d "$3"
}
# start place setting: a fresh faultline of the setting at the place (0-2).
start() {
  local k=$1 s=$2 extra=""
  port[$s]=$((18411 + k))
  case "$s" in
    metrics) extra="FAULTLINE_ADMIN_ADDR=127.0.0.1:$((18421 + k))" ;;
    traced) extra="FAULTLINE_ADMIN_ADDR=127.0.0.1:$((18421 + k)) OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:18418"
      extra+=" OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=$sample" ;;
  esac
  rm -rf "$work/$s" && mkdir -p "$work/$s"
  # shellcheck disable=SC2086 # extra holds several assignments
  taskset -c 1 env $extra FAULTLINE_ENV=development "FAULTLINE_ADDR=127.0.0.1:${port[$s]}" FAULTLINE_ACCESS_TTL=1h \
    "FAULTLINE_JWT_SECRET=$secret" "FAULTLINE_DEMO_PASSWORD=$password" "DATABASE_URL=sqlite://$work/$s/f.db" \
    FAULTLINE_LOG_FORMAT=json "$work/faultline" >"$work/$s/log" 2>&1 &
  pid[$s]=$!
  pids=("${pid[@]}")
}
# ready place setting: logs in, forges the expired token as bench.sh does,
# checks each scenario's answer, then caps the server in its place's cgroup.
ready() {
  local k=$1 s=$2 uid got
  for _ in $(seq 100); do curl -sf -o /dev/null "127.0.0.1:${port[$s]}/healthz" && break; sleep 0.05; done
  token[$s]="$(post "${port[$s]}" "" "{\"query\":\"mutation { login(email: \\\"user@faultline.dev\\\", password: \\\"$password\\\") { accessToken } }\"}" |
    sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')"
  [ -n "${token[$s]}" ] || { echo "bench-telemetry: no token from $s" >&2; cat "$work/$s/log" >&2; exit 1; }
  uid="$(post "${port[$s]}" "${token[$s]}" '{"query":"{ me { id } }"}' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')"
  token[$s/expired]="$(JWT_SECRET="$secret" "$work/tokgen" -single -iss faultline -aud faultline -typ-header at+jwt \
    -typ-claim '' -sub "$uid" -role USER -iat-offset -2h -exp-offset -1h -jti random)"
  for sc in "${scenarios[@]}"; do
    got="$(post "${port[$s]}" "$(tokenFor "$s" "$sc")" "${body[$sc]}")"
    [[ "$got" == *"${want[$sc]}"* ]] || { echo "bench-telemetry: $s $sc answered $got" >&2; exit 1; }
  done
  echo "${pid[$s]}" >"${cgroups[$k]}/cgroup.procs"
}
tokenFor() { # setting scenario
  case "$2" in expired-401) echo "${token[$1/expired]}" ;; *) echo "${token[$1]}" ;; esac
}
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime, in clock ticks
hz="$(getconf CLK_TCK)"
# load scenario seconds: loads the three at once; prints "setting req/s cpu%" lines.
load() {
  local s c0=() out=()
  for s in "${settings[@]}"; do
    c0[${#c0[@]}]="$(cpu "${pid[$s]}")"
    BENCH_BODY="${body[$1]}" BENCH_TOKEN="$(tokenFor "$s" "$1")" timeout -k 5 $(($2 + 30)) taskset -c 0 \
      wrk -t1 -c16 -d"$2"s -s "$peers/post.lua" "http://127.0.0.1:${port[$s]}/query" >"$work/$s.wrk" &
    out[${#out[@]}]=$!
  done
  wait "${out[@]}"
  local i=0
  for s in "${settings[@]}"; do
    grep -q ' sockerr=0' "$work/$s.wrk" || { echo "bench-telemetry: $s $1: $(cat "$work/$s.wrk")" >&2; exit 1; }
    echo "$s $(sed -n 's/^RESULT rps=\([0-9.]*\).*/\1/p' "$work/$s.wrk") $(( ($(cpu "${pid[$s]}") - c0[i]) * 100 / hz / $2 ))"
    i=$((i + 1))
  done
}

echo "bench-telemetry: $passes passes, ${dur}s a scenario, each server capped at $quota % of core 1;" \
  "$(nproc) cores, $(go version | cut -d' ' -f3)" >&2
for p in $(seq "$passes"); do
  order=()
  for k in 0 1 2; do order[k]="${settings[$(( (k + p) % 3 ))]}"; start "$k" "${order[k]}"; done
  for k in 0 1 2; do ready "$k" "${order[k]}"; done
  load me-ok 1 >/dev/null # warm-up
  for sc in "${scenarios[@]}"; do
    load "$sc" "$dur" | while read -r s rps share; do
      printf '%s\t%s\t%s\t%s\t%s\n' "$p" "$sc" "$s" "$rps" "$share"
    done
  done | tee -a "$work/runs.tsv" | awk -F'\t' -v p="$p" -v o="${order[*]}" \
    '{ line = line sprintf(" %s %s=%.0f (%s%%)", $2, $3, $4, $5) } END { printf "pass %d (%s):%s\n", p, o, line }' >&2
  kill "${pid[@]}"
  wait "${pid[@]}" 2>/dev/null || true
done
grep -q exports "$work/sink.log" || sleep 11 # the sink reports every 10 s
grep -q exports "$work/sink.log" || { echo "bench-telemetry: the sink received no export" >&2; exit 1; }
tail -1 "$work/sink.log" >&2

echo
echo "| scenario | off | metrics | metrics, traces at $(awk -v r="$sample" 'BEGIN { print r * 100 }') % |"
echo "| --- | ---: | ---: | ---: |"
awk -F'\t' -v quota="$quota" '
  BEGIN { split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086", t, " ") }
  { b = int(($1 - 1) / 3); sum[$2, $3, b] += $4; all[$2, $3] += $4; n[$2, $3]++; if (b + 1 > nb) nb = b + 1
    if (!seen[$2]++) order[++k] = $2; if (NR == 1 || $5 < low) low = $5 }
  # vs: the mean over blocks of the block'"'"'s req/s over off'"'"'s, and its 95 % interval.
  function vs(sc, s,   i, r, m, q) {
    for (i = 0; i < nb; i++) { r = sum[sc, s, i] / sum[sc, "off", i]; m += r; q += r * r }
    m /= nb
    if (nb < 2) return sprintf("%+.1f %%, one block: no interval", 100 * (m - 1))
    return sprintf("%+.1f ± %.1f %%", 100 * (m - 1), 100 * (nb > 21 ? 2 : t[nb - 1]) * sqrt((q / nb - m * m) / (nb - 1)))
  }
  END {
    for (j = 1; j <= k; j++) {
      sc = order[j]
      printf "| %s | %.0f req/s |", sc, all[sc, "off"] / n[sc, "off"]
      printf " %.0f (%s) |", all[sc, "metrics"] / n[sc, "metrics"], vs(sc, "metrics")
      printf " %.0f (%s) |\n", all[sc, "traced"] / n[sc, "traced"], vs(sc, "traced")
    }
    printf "\n%d blocks of 3 passes; the least CPU a server used in a run: %d %% of a core (its cap: %d %%)\n", nb, low, quota
  }' "$work/runs.tsv"
