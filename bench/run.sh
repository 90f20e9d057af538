#!/usr/bin/env bash
# Serving benchmark: raw ONNX Runtime, bare HTTP echo, Otimo batching off/on; see bench/README.md.
# Extra arguments are JVM system properties, e.g. -Dbench.seconds=8 -Dbench.models=mlp1024
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile -Dconsole.skip=true
mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -Xms2g -Xmx4g -XX:+UseParallelGC "$@" \
  -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" dev.otimo.bench.ServingBench
