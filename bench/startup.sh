#!/usr/bin/env bash
# Start-to-ready time of the packaged server on a fresh data directory (embedded default: H2,
# local artifacts, demo model trained and deployed), then the demo model's latency at one client.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package
mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
data=$(mktemp -d)
port=${PORT:-18080}
start=$(date +%s%N)
java -jar target/otimo-0.1.0-SNAPSHOT.jar --server.port="$port" --otimo.data-dir="$data" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null; do
  kill -0 $pid 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.05
done
ready=$(( ($(date +%s%N) - start) / 1000000 ))
echo "start to ready (fresh data dir, demo trained and deployed): ${ready} ms"
java -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" dev.otimo.bench.DemoLatency "http://127.0.0.1:$port" 10
