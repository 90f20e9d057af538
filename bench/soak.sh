#!/usr/bin/env bash
# Soak: the packaged server (embedded default, demo model) under mixed valid and hostile traffic
# from wrk in another process, at 80% of the saturation rate measured just before (wrk paces the
# requests on a schedule, bench/soak/mixed.lua), for 10 minutes.
# Passes when: no 5xx, no socket errors, heap after GC at the end ÷ after warm-up ≤ 1.2, and RSS
# within 10% of its post-warm-up value throughout. Results: bench/results/soak-latest.json.
#   SOAK_MINUTES=10 SOAK_WARMUP_SECONDS=60 SOAK_CONNECTIONS=32 SOAK_HEAP=1g SOAK_HOSTILE_PERCENT=20 SOAK_LOAD=0.8
# Needs wrk (apt-get install -y wrk) and the JDK's jcmd.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${SOAK_MINUTES:-10}
seconds_total=${SOAK_SECONDS:-$((minutes * 60))}
warmup=${SOAK_WARMUP_SECONDS:-60}
connections=${SOAK_CONNECTIONS:-32}
heap=${SOAK_HEAP:-1g}
load=${SOAK_LOAD:-0.8}
export SOAK_HOSTILE_PERCENT=${SOAK_HOSTILE_PERCENT:-20} SOAK_THREADS=2
port=${PORT:-18181}
out=bench/results/soak-latest.json
command -v wrk >/dev/null || { echo "soak needs wrk: apt-get install -y wrk" >&2; exit 2; }

[ -n "${SOAK_SKIP_BUILD:-}" ] || mvn -q -B -DskipTests -Dconsole.skip=true package
data=$(mktemp -d)
# the whole heap is touched at start, so RSS after warm-up already holds it and any growth is native
java -Xms"$heap" -Xmx"$heap" -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary -XX:+ExitOnOutOfMemoryError -jar target/otimo-0.1.0-SNAPSHOT.jar \
  --server.port="$port" --otimo.data-dir="$data" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null; do
  kill -0 $pid 2>/dev/null || { tail -50 "$data/server.log"; exit 1; }
  sleep 0.2
done
url="http://127.0.0.1:$port"

heap_after_gc() {  # KB used on the heap right after a full collection
  jcmd $pid GC.run >/dev/null
  jcmd $pid GC.heap_info | grep -m1 -o 'used [0-9]*K' | tr -dc 0-9
}
native_kb() {  # committed native memory by category, from Native Memory Tracking
  jcmd $pid VM.native_memory summary scale=KB | awk '/^-/ { sub(/^- */, ""); name = $1; for (i = 2; i < NF && $i !~ /\(reserved=/; i++) name = name "_" $i;
    if (match($0, /committed=[0-9]+/)) printf "%s\"%s\": %s", (n++ ? ", " : ""), name, substr($0, RSTART + 10, RLENGTH - 10) }'
}
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1"; }

echo "warm-up: ${warmup}s closed loop, $connections connections"
SOAK_RATE=0 wrk -t2 -c"$connections" -d"${warmup}s" -s bench/soak/mixed.lua "$url" >"$data/warmup.txt"
SOAK_RATE=0 wrk -t2 -c"$connections" -d20s -s bench/soak/mixed.lua "$url" >"$data/saturation.txt"
sat_summary=$(grep '^SUMMARY' "$data/saturation.txt" | sed 's/^SUMMARY //')
sat_requests=$(field "$sat_summary" requests)
sat_us=$(field "$sat_summary" duration_us)
saturation=$(awk -v r="$sat_requests" -v us="$sat_us" 'BEGIN { printf "%.1f", r / (us / 1e6) }')
target=$(awk -v s="$saturation" -v l="$load" 'BEGIN { printf "%d", s * l }')
heap_warm=$(heap_after_gc)
rss_warm=$(rss)
native_warm=$(native_kb)
echo "saturation: $saturation requests/s; soak at $target requests/s; heap after warm-up ${heap_warm} KB, RSS ${rss_warm} KB"

( while kill -0 $pid 2>/dev/null; do rss; sleep 15; done ) >"$data/rss.txt" &
sampler=$!
SOAK_RATE=$target wrk -t2 -c"$connections" -d"${seconds_total}s" --timeout 10s -s bench/soak/mixed.lua "$url" >"$data/soak.txt"
kill $sampler 2>/dev/null || true
kill -0 $pid 2>/dev/null || { echo "the server died"; tail -50 "$data/server.log"; exit 1; }
heap_end=$(heap_after_gc)
rss_end=$(rss)
native_end=$(native_kb)
summary=$(grep '^SUMMARY' "$data/soak.txt" | sed 's/^SUMMARY //')
statuses=$(grep '^STATUSES' "$data/soak.txt" | sed 's/^STATUSES //')
requests=$(field "$summary" requests)
seconds=$(awk -v us="$(field "$summary" duration_us)" 'BEGIN { printf "%.1f", us / 1e6 }')
rate=$(awk -v r="$requests" -v s="$seconds" 'BEGIN { printf "%.1f", r / s }')
fivexx=$({ grep -o '"5[0-9][0-9]":[0-9]*' <<<"$statuses" || true; } | awk -F: '{ s += $2 } END { print s + 0 }')
socket_errors=$(( $(field "$summary" connect_errors) + $(field "$summary" read_errors) + $(field "$summary" write_errors) + $(field "$summary" timeouts) ))
rss_min=$(awk 'NR == 1 || $1 < m { m = $1 } END { print m }' "$data/rss.txt")
rss_max=$(awk '$1 > m { m = $1 } END { print m }' "$data/rss.txt")
rss_series=$(paste -sd, "$data/rss.txt")
heap_ratio=$(awk -v a="$heap_end" -v b="$heap_warm" 'BEGIN { printf "%.3f", a / b }')
rss_spread=$(awk -v lo="$rss_min" -v hi="$rss_max" -v w="$rss_warm" 'BEGIN { d1 = (hi - w) / w; d2 = (w - lo) / w; printf "%.3f", (d1 > d2 ? d1 : d2) }')
ok=true
[ "$fivexx" -eq 0 ] && [ "$socket_errors" -eq 0 ] || ok=false
awk -v r="$heap_ratio" -v s="$rss_spread" 'BEGIN { exit !(r <= 1.2 && s <= 0.10) }' || ok=false
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
flags=$(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_tile|amx_int8' | tr '\n' ' ' | sed 's/ $//')
mkdir -p bench/results
cat >"$out" <<JSON
{
  "when": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "cpu": "$cpu", "cores": $(nproc), "cpu_flags": "$flags", "heap": "$heap",
  "seconds": $seconds_total, "connections": $connections, "hostile_percent": $SOAK_HOSTILE_PERCENT,
  "saturation_rps": $saturation, "target_rps": $target, "soak_rps": $rate, "soak_fraction_of_saturation": $(awk -v a="$rate" -v b="$saturation" 'BEGIN { printf "%.2f", a / b }'),
  "requests": $requests, "statuses": $statuses, "responses_5xx": $fivexx, "socket_errors": $socket_errors,
  "p50_ms": $(field "$summary" p50_ms), "p99_ms": $(field "$summary" p99_ms),
  "heap_after_gc_kb": {"after_warmup": $heap_warm, "end": $heap_end, "ratio": $heap_ratio},
  "rss_kb": {"after_warmup": $rss_warm, "min": $rss_min, "max": $rss_max, "end": $rss_end, "largest_deviation": $rss_spread,
             "every_15s": [$rss_series]},
  "native_committed_kb": {"after_warmup": {$native_warm}, "end": {$native_end}},
  "passed": $ok
}
JSON
cat "$out"
$ok
